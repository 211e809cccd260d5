package io.dhamana.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One attempt of a client call in a flight recording: one transaction, from its start to its commit, its refusal
 * or the conflict that rolled it back.
 */
@Name("io.dhamana.Attempt")
@Label("Dhamana Attempt")
@Category({"Dhamana"})
@Description("One transaction of a ticketing client call")
@StackTrace(false)
final class AttemptEvent extends Event {
    @Label("Operation")
    String operation;

    @Label("Attempt")
    @Description("1 for the first attempt")
    int attempt;

    @Label("Result")
    @Description("committed, a rejection kind, conflict, or the failure's class")
    String result;

    @Label("Store")
    String store;
}

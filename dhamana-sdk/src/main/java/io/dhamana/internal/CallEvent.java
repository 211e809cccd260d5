package io.dhamana.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One client call in a flight recording: its duration is the call's, from the first attempt to the outcome, with
 * the attempts, conflicts and retries it took. Enabled by default in JFR's default and profile settings; costs a
 * check per call when no recording runs.
 */
@Name("io.dhamana.Call")
@Label("Dhamana Call")
@Category({"Dhamana"})
@Description("A ticketing client call: from its first attempt to its outcome")
@StackTrace(false)
final class CallEvent extends Event {
    @Label("Operation")
    String operation;

    @Label("Outcome")
    @Description("committed, a rejection kind (sold-out, cap-reached...), conflict or failure")
    String outcome;

    @Label("Store")
    String store;

    @Label("Attempts")
    int attempts;

    @Label("Conflicts")
    int conflicts;

    @Label("Retries")
    int retries;
}

package io.dhamana.jmh;

import io.dhamana.AuditReport;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the audit verdicts of one trial and fails the trial if any was bad. A benchmark that oversells, loses a
 * hold it reported as committed, or leaves any other invariant broken produces no number: its trial throws from
 * {@code @TearDown(Level.Trial)} and JMH marks the run as failed.
 */
final class TrialAudit {
    private final String what;
    private final String passNote;
    private final List<String> failures = new ArrayList<>();
    private int audits;
    private long units;
    /** Audits counted by the latest verdict in this JVM, for the harness's own tests. */
    static volatile int lastVerdictAudits;

    /**
     * @param what     the benchmark, in words
     * @param passNote what a passed trial guarantees, for the console
     */
    TrialAudit(String what, String passNote) {
        this.what = what;
        this.passNote = passNote;
    }

    /**
     * Checks an SDK audit: clean, nothing oversold, and exactly the units callers were told they hold.
     *
     * @param told committed holds (one unit each) reported to callers since the audited event was created
     */
    void check(AuditReport report, long told) {
        audits++;
        units += report.heldUnits();
        if (!report.isClean() || report.oversoldUnits() != 0) {
            failures.add("audit " + audits + " is not clean: " + report.summary());
        }
        if (report.heldUnits() != told) {
            failures.add("audit " + audits + " counts " + report.heldUnits() + " held units but callers were told "
                    + told);
        }
    }

    /** Records a failed check of a plain-SQL baseline. */
    void fail(String message) {
        audits++;
        failures.add(message);
    }

    /** Records a passed check of a plain-SQL baseline. */
    void pass(long heldUnits) {
        audits++;
        units += heldUnits;
    }

    /**
     * Prints the verdict and throws if any check failed.
     *
     * @throws IllegalStateException listing every failed check
     */
    void verdict() {
        lastVerdictAudits = audits;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(what + ": " + failures.size() + " of " + audits + " audits failed:\n  "
                    + String.join("\n  ", failures));
        }
        System.out.printf("%n# Audit passed: %s: %d audit(s), %,d units held, %s%n", what, audits, units, passNote);
    }
}

package io.dhamana;

/** Whether a buyer may buy at an event. */
public enum VerificationStatus {
    /** May hold and buy. */
    VERIFIED,
    /** May no longer hold or buy; tickets already owned stay owned. */
    REVOKED
}

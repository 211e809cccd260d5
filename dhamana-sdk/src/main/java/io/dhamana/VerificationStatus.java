package io.dhamana;

/** Whether a buyer may buy at an event. */
public enum VerificationStatus {
    VERIFIED,
    REVOKED
}

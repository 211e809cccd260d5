package io.dhamana.spi;

/** Whether a transaction may write. */
public enum TxMode {
    /** Reads only; stores may serve it without conflict tracking. */
    READ_ONLY,
    /** Reads and guarded writes. */
    READ_WRITE
}

package io.dhamana.internal;

import com.github.f4b6a3.uuid.UuidCreator;
import io.dhamana.OperationKey;
import io.dhamana.spi.KeyStrategy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Makes idempotency keys and entry codes. */
public final class Keys {
    private static final char[] CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final SecureRandom CODES = new SecureRandom();

    private final KeyStrategy strategy;

    public Keys(KeyStrategy strategy) {
        this.strategy = strategy;
    }

    /** A fresh key of the kind the store prefers. */
    public UUID next() {
        return strategy == KeyStrategy.TIME_ORDERED ? UuidCreator.getTimeOrderedEpoch() : randomV4();
    }

    /**
     * A version 4 UUID. Keys need to be unique, not secret, so a per-thread generator is enough and keeps the
     * hot path free of a shared lock.
     */
    static UUID randomV4() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /**
     * A key derived from what a transition acts on, so repeating "confirm hold H" is recognised as the same call
     * without the caller keeping a key.
     */
    public static OperationKey derived(String action, Object... parts) {
        StringBuilder sb = new StringBuilder("dhamana:").append(action);
        for (Object p : parts) {
            sb.append(':').append(p);
        }
        return OperationKey.of(UUID.nameUUIDFromBytes(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The id of the {@code index}-th ticket of a hold; deterministic so a repeated confirm makes the same ids. */
    public static UUID ticketId(UUID hold, int index) {
        return UUID.nameUUIDFromBytes(("dhamana:ticket:" + hold + ":" + index).getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh entry code: 12 characters from a 32-letter alphabet without look-alikes, from a secure generator. */
    public static String entryCode() {
        char[] c = new char[12];
        for (int i = 0; i < c.length; i++) {
            c[i] = CODE_ALPHABET[CODES.nextInt(CODE_ALPHABET.length)];
        }
        return new String(c);
    }
}

package io.dhamana;

import io.dhamana.internal.Checks;

/**
 * Identifies a buyer: 1 to 64 characters, letters, digits and {@code . _ : @ + -}, starting with a letter or digit.
 * Chosen by the caller.
 *
 * @param value the identifier text
 */
public record BuyerId(String value) implements Comparable<BuyerId> {
    /**
     * @param value the identifier text
     * @throws InvalidRequestException if the value is null, blank, too long or holds other characters
     */
    public BuyerId {
        Checks.id("buyerId", value);
    }

    /**
     * Same as the constructor; reads better at call sites.
     *
     * @param value the buyer's id: 1 to 200 characters, no control characters
     * @return the id
     */
    public static BuyerId of(String value) {
        return new BuyerId(value);
    }

    @Override
    public int compareTo(BuyerId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

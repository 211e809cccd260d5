package io.dhamana;

import io.dhamana.internal.Checks;

import java.time.Instant;

/**
 * Why the store refused a call. Each is decided inside the transaction from committed state and its guard row, so
 * a rejection is final for the state the call saw; the transaction that found it was rolled back and changed
 * nothing. Rejections are never retried by the client.
 */
public sealed interface Rejection {

    /**
     * A sentence for people.
     *
     * @return a sentence for people
     */
    String message();

    /**
     * A stable machine-readable code, for example {@code "SOLD_OUT"}.
     *
     * @return a stable, machine-readable code, for example {@code SOLD_OUT}
     */
    String code();

    /**
     * Fewer units are left in the section than were asked for; {@code unitsLeft} is what one snapshot of all of the
     * section's buckets held (0 means sold out).
     */
    record SoldOut(EventId event, SectionId section, int requested, long unitsLeft) implements Rejection {
        /**
         * Checks the values.
         *
         * @param event     the event
         * @param section   the section
         * @param requested the units asked for
         * @param unitsLeft the units one snapshot of every bucket held
         * @throws InvalidRequestException if a value is null, or a count negative or beyond a hold's limit
         */
        public SoldOut {
            Checks.notNull("event", event);
            Checks.notNull("section", section);
            Checks.range("requested", requested, 1, Limits.MAX_UNITS_PER_HOLD);
            Checks.range("unitsLeft", unitsLeft, 0, Limits.MAX_SECTION_CAPACITY);
        }

        @Override
        public String message() {
            return unitsLeft == 0
                    ? "section " + section + " of " + event + " is sold out"
                    : "section " + section + " of " + event + " has " + unitsLeft + " unit(s) left, " + requested
                    + " requested";
        }

        @Override
        public String code() {
            return "SOLD_OUT";
        }
    }

    /** The named seat is held or sold by someone else. */
    record SeatTaken(EventId event, SectionId section, SeatId seat) implements Rejection {
        @Override
        public String message() {
            return "seat " + seat + " in section " + section + " of " + event + " is already taken";
        }

        @Override
        public String code() {
            return "SEAT_TAKEN";
        }
    }

    /** The buyer is not a verified fan of the event (never verified, or revoked). */
    record NotVerified(EventId event, BuyerId buyer) implements Rejection {
        @Override
        public String message() {
            return "buyer " + buyer + " is not a verified fan of " + event;
        }

        @Override
        public String code() {
            return "NOT_VERIFIED";
        }
    }

    /** The buyer would exceed the per-buyer cap of the event (held and confirmed units both count). */
    record CapReached(EventId event, BuyerId buyer, int cap, int used, int requested) implements Rejection {
        /**
         * Checks the values.
         *
         * @param event     the event
         * @param buyer     the buyer
         * @param cap       the per-buyer cap
         * @param used      the units the buyer holds or owns now
         * @param requested the units asked for
         * @throws InvalidRequestException if a value is null, or a count negative or beyond its limit
         */
        public CapReached {
            Checks.notNull("event", event);
            Checks.notNull("buyer", buyer);
            Checks.range("cap", cap, 1, Limits.MAX_PER_BUYER_CAP);
            Checks.range("used", used, 0, Limits.MAX_PER_BUYER_CAP);
            Checks.range("requested", requested, 1, Limits.MAX_UNITS_PER_HOLD);
        }

        @Override
        public String message() {
            return "buyer " + buyer + " already has " + used + " of " + cap + " unit(s) allowed at " + event
                    + ", " + requested + " more requested";
        }

        @Override
        public String code() {
            return "CAP_REACHED";
        }
    }

    /** The caller does not own the ticket or listing it acted on. */
    record NotOwner(TicketId ticket, BuyerId caller) implements Rejection {
        @Override
        public String message() {
            return "buyer " + caller + " does not own ticket " + ticket;
        }

        @Override
        public String code() {
            return "NOT_OWNER";
        }
    }

    /** A resale ask above the event's cap (a percentage of face value); refused by the store's constraint. */
    record AskAboveCap(TicketId ticket, long askMinor, long capMinor) implements Rejection {
        /**
         * Checks the values.
         *
         * @param ticket   the ticket
         * @param askMinor the ask, in minor units
         * @param capMinor the highest ask allowed, in minor units
         * @throws InvalidRequestException if the ticket is null, or a price out of the range a listing allows
         */
        public AskAboveCap {
            Checks.notNull("ticket", ticket);
            Checks.range("askMinor", askMinor, 1, Limits.MAX_PRICE_MINOR);
            Checks.notNegative("capMinor", capMinor);
        }

        @Override
        public String message() {
            return "ask " + askMinor + " for ticket " + ticket + " is above the resale cap of " + capMinor;
        }

        @Override
        public String code() {
            return "ASK_ABOVE_CAP";
        }
    }

    /** The hold's time to live ran out (judged by the store's clock) before it was confirmed. */
    record HoldExpired(HoldId hold, Instant expiredAt) implements Rejection {
        @Override
        public String message() {
            return "hold " + hold + " expired at " + expiredAt;
        }

        @Override
        public String code() {
            return "HOLD_EXPIRED";
        }
    }

    /**
     * The subject is not in a state that allows the action, for example releasing a confirmed hold or buying a
     * withdrawn listing.
     */
    record WrongState(String subject, String id, String state, String action) implements Rejection {
        @Override
        public String message() {
            return "cannot " + action + " " + subject + " " + id + ": it is " + state;
        }

        @Override
        public String code() {
            return "WRONG_STATE";
        }
    }
}

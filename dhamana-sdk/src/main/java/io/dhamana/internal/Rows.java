package io.dhamana.internal;

import io.dhamana.BuyerId;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.ListingId;
import io.dhamana.Listing;
import io.dhamana.Ticket;
import io.dhamana.Verification;
import io.dhamana.spi.AllowanceRow;
import io.dhamana.spi.HoldRow;
import io.dhamana.spi.ListingRow;
import io.dhamana.spi.TicketRow;

import java.net.URI;

/** Turns store rows into the values callers see. */
final class Rows {
    private Rows() {}

    static Hold hold(HoldRow r) {
        return new Hold(r.id(), r.event(), r.section(), r.seat(), r.buyer(), r.units(), r.status(), r.createdAt(),
                r.expiresAt(), r.unitPriceMinor());
    }

    static Ticket ticket(TicketRow r) {
        return new Ticket(r.id(), r.event(), r.section(), r.seat(), r.hold(), r.owner(), r.state(), r.code(),
                r.faceValueMinor());
    }

    static Listing listing(ListingRow r) {
        return new Listing(r.id(), r.ticket(), r.event(), r.seller(), r.askMinor(), r.capMinor(), r.state(), r.buyer());
    }

    static Verification verification(AllowanceRow r) {
        return new Verification(r.event(), r.buyer(), r.status(), URI.create(r.evidence()), r.used(), r.cap());
    }

    static String buyerAccount(BuyerId buyer) {
        return "buyer:" + buyer.value();
    }

    static String eventAccount(EventId event) {
        return "event:" + event.value();
    }

    static String escrowAccount(ListingId listing) {
        return "escrow:" + listing.value();
    }
}

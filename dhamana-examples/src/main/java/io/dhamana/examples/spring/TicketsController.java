package io.dhamana.examples.spring;

import io.dhamana.BuyerId;
import io.dhamana.DhamanaException;
import io.dhamana.EventId;
import io.dhamana.Hold;
import io.dhamana.HoldId;
import io.dhamana.HoldRequest;
import io.dhamana.InvalidRequestException;
import io.dhamana.NotFoundException;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SectionId;
import io.dhamana.Ticket;
import io.dhamana.TicketingClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Map;

/**
 * Verify a fan, hold units, confirm or release a hold, over JSON. A refusal from the store (sold out, cap reached,
 * not verified...) is a {@code 409} with its code; bad input a {@code 400}; an unknown id a {@code 404}.
 */
@RestController
public class TicketsController {
    private final TicketingClient client;

    /**
     * The API on one client.
     *
     * @param client the client
     */
    public TicketsController(TicketingClient client) {
        this.client = client;
    }

    /**
     * The body of a verification.
     *
     * @param evidence where the proof lives (an http or https URL)
     */
    public record VerifyBody(String evidence) {}

    /**
     * The body of a hold.
     *
     * @param section the general-admission section
     * @param buyer   who holds
     * @param units   how many units
     */
    public record HoldBody(String section, String buyer, int units) {}

    /**
     * A hold as the API shows it.
     *
     * @param id        its id, to confirm or release it with
     * @param event     the event
     * @param section   the section
     * @param buyer     who holds it
     * @param units     how many units
     * @param status    {@code HELD}, {@code CONFIRMED}, {@code RELEASED} or {@code EXPIRED}
     * @param expiresAt when it lapses unless confirmed
     */
    public record HoldView(String id, String event, String section, String buyer, int units, String status,
                           String expiresAt) {
        static HoldView of(Hold h) {
            return new HoldView(h.id().toString(), h.event().value(), h.section().value(), h.buyer().value(),
                    h.units(), h.status().name(), h.expiresAt().toString());
        }
    }

    /**
     * Marks a buyer as a verified fan of an event.
     *
     * @param event the event's id
     * @param buyer the buyer's id
     * @param body  the evidence
     * @return {@code 200} with the verification
     */
    @PostMapping("/events/{event}/fans/{buyer}")
    public ResponseEntity<Object> verify(@PathVariable("event") String event, @PathVariable("buyer") String buyer,
                                         @RequestBody VerifyBody body) {
        return answer(client.verifyFan(EventId.of(event), BuyerId.of(buyer), URI.create(body.evidence())),
                v -> Map.of("buyer", v.buyer().value(), "status", v.status().name(), "used", v.used(),
                        "cap", v.cap()));
    }

    /**
     * Holds units of a general-admission section.
     *
     * @param event the event's id
     * @param body  section, buyer and units
     * @return {@code 201} with the hold, or {@code 409} with the refusal
     */
    @PostMapping("/events/{event}/holds")
    public ResponseEntity<Object> hold(@PathVariable("event") String event, @RequestBody HoldBody body) {
        Outcome<Hold> held = client.hold(HoldRequest.units(EventId.of(event), SectionId.of(body.section()),
                BuyerId.of(body.buyer()), body.units()));
        if (held instanceof Outcome.Ok<Hold> ok) {
            return ResponseEntity.status(HttpStatus.CREATED).body(HoldView.of(ok.value()));
        }
        return refused(held.rejectionIfAny().orElseThrow());
    }

    /**
     * Pays for a hold: it becomes tickets.
     *
     * @param hold the hold's id
     * @return {@code 200} with the tickets, or {@code 409} with the refusal (expired, wrong state)
     */
    @PostMapping("/holds/{hold}/confirm")
    public ResponseEntity<Object> confirm(@PathVariable("hold") String hold) {
        return answer(client.confirm(HoldId.parse(hold)), tickets -> Map.of("tickets",
                tickets.stream().map(TicketsController::ticket).toList()));
    }

    /**
     * Gives a hold back: its units return to sale.
     *
     * @param hold the hold's id
     * @return {@code 200} with the released hold, or {@code 409} with the refusal
     */
    @PostMapping("/holds/{hold}/release")
    public ResponseEntity<Object> release(@PathVariable("hold") String hold) {
        return answer(client.release(HoldId.parse(hold)), HoldView::of);
    }

    private static Map<String, Object> ticket(Ticket t) {
        return Map.of("id", t.id().toString(), "owner", t.owner().value(), "state", t.state().name(),
                "code", t.code());
    }

    private static <T> ResponseEntity<Object> answer(Outcome<T> outcome, java.util.function.Function<T, Object> view) {
        if (outcome instanceof Outcome.Ok<T> ok) {
            return ResponseEntity.ok(view.apply(ok.value()));
        }
        return refused(outcome.rejectionIfAny().orElseThrow());
    }

    private static ResponseEntity<Object> refused(Rejection r) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("code", r.code(), "message", r.message()));
    }

    /**
     * Input the SDK refused before writing anything.
     *
     * @param e the refusal
     * @return {@code 400} with the argument and why
     */
    @ExceptionHandler({InvalidRequestException.class, IllegalArgumentException.class})
    public ResponseEntity<Object> badRequest(RuntimeException e) {
        return ResponseEntity.badRequest().body(Map.of("code", "INVALID_REQUEST", "message", e.getMessage()));
    }

    /**
     * An id that names nothing.
     *
     * @param e what was not found
     * @return {@code 404}
     */
    @ExceptionHandler(NotFoundException.class)
    public ResponseEntity<Object> notFound(NotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("code", "NOT_FOUND", "message",
                e.getMessage()));
    }

    /**
     * Any other SDK failure (retries exhausted, the store unreachable): the call may be repeated.
     *
     * @param e the failure
     * @return {@code 503} when a repeat may succeed, {@code 500} otherwise
     */
    @ExceptionHandler(DhamanaException.class)
    public ResponseEntity<Object> failed(DhamanaException e) {
        return ResponseEntity.status(e.isRetryable() ? HttpStatus.SERVICE_UNAVAILABLE
                : HttpStatus.INTERNAL_SERVER_ERROR).body(Map.of("code", "FAILED", "message", e.getMessage()));
    }
}

package io.dhamana.reliability;

import io.dhamana.BuyerId;
import io.dhamana.HoldId;
import io.dhamana.ListingId;
import io.dhamana.Outcome;
import io.dhamana.Rejection;
import io.dhamana.SeatId;
import io.dhamana.SectionId;
import io.dhamana.TicketId;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What callers asked and what they were told, Jepsen-style: every operation is an {@code invoke} followed by one
 * completion, {@code ok} (it committed, with what it returned), {@code fail} (it definitely did nothing: a business
 * rejection, or an id the store does not know) or {@code info} (the outcome is unknown: the call failed with an
 * error after it may have reached the store). Both events carry a global sequence number, so the real-time order
 * of invocations and completions is kept. Each thread appends to its own list; nothing here blocks a caller.
 */
final class History {

    /** The operations a caller can make. */
    enum Kind { HOLD, CONFIRM, RELEASE, REFUND, VERIFY, REVOKE, LIST, WITHDRAW, BUY, SETTLE, CANCEL, EXPIRE, READ }

    /** How an operation ended. */
    enum Result { OK, FAIL, INFO }

    /** One operation: its arguments, then how it ended. Written by one thread, read after the run. */
    static final class Op {
        final long index;
        final int thread;
        final String client;
        final Kind kind;
        final long invokedAt;
        /** The operation this one repeats with the same key after an unknown outcome, or -1. */
        long repeatOf = -1;
        HoldId hold;
        TicketId ticket;
        ListingId listing;
        BuyerId buyer;
        SectionId section;
        SeatId seat;
        int units;
        long ask;

        long completedAt;
        Result result;
        Object value;
        Rejection rejection;
        Throwable error;

        Op(long index, int thread, String client, Kind kind, long invokedAt) {
            this.index = index;
            this.thread = thread;
            this.client = client;
            this.kind = kind;
            this.invokedAt = invokedAt;
        }

        boolean isOk() {
            return result == Result.OK;
        }

        /** A rejection the store decided: the call wrote nothing. */
        boolean isRejected() {
            return result == Result.FAIL && rejection != null;
        }

        <T> T value(Class<T> type) {
            return type.cast(value);
        }

        /** One line in an EDN-like notation, for the history file. */
        String line(boolean completion) {
            StringBuilder sb = new StringBuilder("{:index ").append(index).append(" :time ")
                    .append(completion ? completedAt : invokedAt).append(" :process ").append(thread)
                    .append(" :client ").append(client).append(" :type ")
                    .append(completion ? ":" + String.valueOf(result).toLowerCase(Locale.ROOT) : ":invoke")
                    .append(" :f :").append(kind.name().toLowerCase(Locale.ROOT));
            append(sb, "hold", hold);
            append(sb, "ticket", ticket);
            append(sb, "listing", listing);
            append(sb, "buyer", buyer);
            append(sb, "section", section);
            append(sb, "seat", seat);
            if (units != 0) {
                sb.append(" :units ").append(units);
            }
            if (ask != 0) {
                sb.append(" :ask ").append(ask);
            }
            if (repeatOf >= 0) {
                sb.append(" :repeat-of ").append(repeatOf);
            }
            if (completion) {
                if (rejection != null) {
                    sb.append(" :rejection ").append(rejection.code());
                } else if (error != null) {
                    sb.append(" :error \"").append(error.getClass().getSimpleName()).append(": ")
                            .append(String.valueOf(error.getMessage()).replace('"', '\'')).append('"');
                } else if (value != null) {
                    sb.append(" :value \"").append(String.valueOf(value).replace('"', '\'')).append('"');
                }
            }
            return sb.append('}').toString();
        }

        private static void append(StringBuilder sb, String key, Object v) {
            if (v != null) {
                sb.append(" :").append(key).append(' ').append(v);
            }
        }
    }

    private final AtomicLong clock = new AtomicLong();
    private final AtomicLong indexes = new AtomicLong();
    private final List<List<Op>> perThread = new CopyOnWriteArrayList<>();

    /** A thread's own recorder; not shared between threads. */
    final class Recorder {
        private final int thread;
        private final List<Op> ops = new ArrayList<>();

        private Recorder(int thread) {
            this.thread = thread;
            perThread.add(ops);
        }

        Op invoke(String client, Kind kind) {
            Op op = new Op(indexes.getAndIncrement(), thread, client, kind, clock.getAndIncrement());
            ops.add(op);
            return op;
        }

        void ok(Op op, Object value) {
            complete(op, Result.OK, value, null, null);
        }

        void rejected(Op op, Rejection rejection) {
            complete(op, Result.FAIL, null, rejection, null);
        }

        /**
         * Records what a call returned: an {@code Outcome}'s committed value or its rejection, or any other value as
         * committed. Returns the committed value, or null for a rejection.
         */
        Object returned(Op op, Object result) {
            if (result instanceof Outcome<?> o) {
                if (o.isOk()) {
                    ok(op, o.value());
                    return o.value();
                }
                rejected(op, o.rejectionIfAny().orElseThrow());
                return null;
            }
            ok(op, result);
            return result;
        }

        /** Definitely did nothing, with a typed error (for example an id the store does not know). */
        void failed(Op op, Throwable error) {
            complete(op, Result.FAIL, null, null, error);
        }

        /** The outcome is unknown. */
        void info(Op op, Throwable error) {
            complete(op, Result.INFO, null, null, error);
        }

        private void complete(Op op, Result result, Object value, Rejection rejection, Throwable error) {
            op.value = value;
            op.rejection = rejection;
            op.error = error;
            op.result = result;
            op.completedAt = clock.getAndIncrement();
        }
    }

    Recorder recorder(int thread) {
        return new Recorder(thread);
    }

    /** Every operation, in invocation order. Call once the run is over. */
    List<Op> operations() {
        List<Op> all = new ArrayList<>();
        for (List<Op> ops : perThread) {
            all.addAll(ops);
        }
        all.sort(Comparator.comparingLong(op -> op.invokedAt));
        return all;
    }

    long size() {
        return indexes.get();
    }

    /** Writes the history as invoke and completion lines in real-time order, for reading a failure. */
    Path writeTo(Path file) throws IOException {
        List<Op> all = operations();
        record Line(long at, Op op, boolean completion) {}
        List<Line> lines = new ArrayList<>(all.size() * 2);
        for (Op op : all) {
            lines.add(new Line(op.invokedAt, op, false));
            if (op.result != null) {
                lines.add(new Line(op.completedAt, op, true));
            }
        }
        lines.sort(Comparator.comparingLong(Line::at));
        Files.createDirectories(Optional.ofNullable(file.getParent()).orElse(Path.of(".")));
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Line l : lines) {
                w.write(l.op().line(l.completion()));
                w.newLine();
            }
        }
        return file;
    }
}

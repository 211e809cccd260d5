package io.dhamana.internal;

import io.dhamana.Event;
import io.dhamana.EventId;
import io.dhamana.NotFoundException;
import io.dhamana.Operation;
import io.dhamana.Section;
import io.dhamana.SectionId;
import io.dhamana.spi.EventRow;
import io.dhamana.spi.SectionRow;
import io.dhamana.spi.Read;
import io.dhamana.spi.Reads;
import io.dhamana.spi.StoreTransaction;
import io.dhamana.spi.TxMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches events and sections, which never change once created, so a hold does not pay a read for them. An event
 * is cached only once its row exists, and its row is written last at creation, so a cached event is complete.
 */
final class Catalog {

    record EventInfo(EventRow row, Map<SectionId, SectionState> sections, Event event) {}

    private final ConcurrentHashMap<EventId, EventInfo> cache = new ConcurrentHashMap<>();
    private final RetryLoop loop;

    Catalog(RetryLoop loop) {
        this.loop = loop;
    }

    Optional<EventInfo> find(EventId id) {
        EventInfo info = cache.get(id);
        if (info != null) {
            return Optional.of(info);
        }
        Optional<EventInfo> loaded = loop.run(Operation.QUERY, null, TxMode.READ_ONLY, (tx, attempt) -> load(tx, id));
        loaded.ifPresent(i -> cache.putIfAbsent(id, i));
        return loaded.map(i -> cache.get(id));
    }

    /** The event if it is cached; never reads. */
    Optional<EventInfo> cached(EventId id) {
        return Optional.ofNullable(cache.get(id));
    }

    /** Callers waiting now for a place on a bucket of any section this client has used. */
    int admissionWaiters() {
        int waiting = 0;
        for (EventInfo info : cache.values()) {
            for (SectionState s : info.sections().values()) {
                waiting += s.admissionWaiters();
            }
        }
        return waiting;
    }

    EventInfo require(EventId id) {
        return find(id).orElseThrow(() -> new NotFoundException("event", id.value()));
    }

    SectionState section(EventId event, SectionId section) {
        SectionState s = require(event).sections().get(section);
        if (s == null) {
            throw new NotFoundException("section", event.value() + "/" + section.value());
        }
        return s;
    }

    static Optional<EventInfo> load(StoreTransaction tx, EventId id) {
        Reads reads = tx.reads();
        Read<Optional<EventRow>> event = reads.event(id);
        Read<List<SectionRow>> sectionRows = reads.sections(id);
        reads.fetch();
        Optional<EventRow> row = event.get();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Map<SectionId, SectionState> states = new LinkedHashMap<>();
        List<Section> sections = new ArrayList<>();
        for (SectionRow s : sectionRows.get()) {
            states.put(s.section(), new SectionState(row.get(), s));
            sections.add(new Section(s.section(), s.kind(), s.capacity(), s.buckets(), s.faceValueMinor()));
        }
        EventRow r = row.get();
        return Optional.of(new EventInfo(r, Map.copyOf(states),
                new Event(r.id(), r.name(), r.perBuyerCap(), r.resaleCapBps(), sections)));
    }
}

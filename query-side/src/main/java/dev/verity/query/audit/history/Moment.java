package dev.verity.query.audit.history;

import dev.verity.query.platform.web.RequestValidationException;
import org.axonframework.eventhandling.DomainEventMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A point in one record's life: right after the event with a given version, or at an instant. */
public sealed interface Moment {

    /** Exactly one of {@code at} and {@code version}; anything else is a 400. */
    static Moment of(Instant at, Long version) {
        if (at != null && version != null) {
            throw new RequestValidationException("version", "give either at or version, not both");
        }
        if (at == null && version == null) {
            throw new RequestValidationException("at", "give at (an ISO-8601 instant) or version");
        }
        return at != null ? new At(at) : new Version(version);
    }

    /**
     * The events, in sequence order, that had happened by this moment; empty when the record did
     * not exist yet (or never had this version).
     */
    Optional<List<DomainEventMessage<?>>> cut(List<DomainEventMessage<?>> events);

    record Version(long version) implements Moment {

        @Override
        public Optional<List<DomainEventMessage<?>>> cut(List<DomainEventMessage<?>> events) {
            List<DomainEventMessage<?>> upTo = events.stream().filter(e -> e.getSequenceNumber() <= version).toList();
            boolean had = !upTo.isEmpty() && upTo.get(upTo.size() - 1).getSequenceNumber() == version;
            return had ? Optional.of(upTo) : Optional.empty();
        }

        @Override
        public String toString() {
            return "version " + version;
        }
    }

    /**
     * The longest run of events from the first whose timestamps are not after {@code at}. A later
     * event stamped earlier (clock skew between writers) cannot have happened before the events it
     * follows, so the run stops at the first event after {@code at}.
     */
    record At(Instant at) implements Moment {

        @Override
        public Optional<List<DomainEventMessage<?>>> cut(List<DomainEventMessage<?>> events) {
            List<DomainEventMessage<?>> upTo = new ArrayList<>();
            for (DomainEventMessage<?> event : events) {
                if (event.getTimestamp().isAfter(at)) {
                    break;
                }
                upTo.add(event);
            }
            return upTo.isEmpty() ? Optional.empty() : Optional.of(upTo);
        }

        @Override
        public String toString() {
            return at.toString();
        }
    }
}

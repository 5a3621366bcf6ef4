package dev.verity.query.audit.history;

import dev.verity.query.platform.web.RequestValidationException;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MomentTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final String aggregateId = UUID.randomUUID().toString();

    @Test
    void version_cutsAfterThatVersion() {
        List<DomainEventMessage<?>> events =
                List.of(event(0, T0), event(1, T0.plusSeconds(1)), event(2, T0.plusSeconds(2)));

        assertThat(versions(new Moment.Version(1).cut(events))).containsExactly(0L, 1L);
        assertThat(new Moment.Version(3).cut(events)).isEmpty();
        assertThat(new Moment.Version(-1).cut(events)).isEmpty();
    }

    @Test
    void at_stopsAtTheFirstLaterEvent_evenIfAnEventAfterItIsStampedEarlier() {
        List<DomainEventMessage<?>> skewed =
                List.of(event(0, T0), event(1, T0.plusSeconds(5)), event(2, T0.plusSeconds(3)));

        assertThat(versions(new Moment.At(T0.plusSeconds(4)).cut(skewed))).containsExactly(0L);
        assertThat(versions(new Moment.At(T0.plusSeconds(5)).cut(skewed))).containsExactly(0L, 1L, 2L);
        assertThat(new Moment.At(T0.minusMillis(1)).cut(skewed)).isEmpty();
    }

    @Test
    void of_wantsExactlyOneOfAtAndVersion() {
        assertThat(Moment.of(T0, null)).isEqualTo(new Moment.At(T0));
        assertThat(Moment.of(null, 3L)).isEqualTo(new Moment.Version(3));
        assertThatThrownBy(() -> Moment.of(T0, 3L)).isInstanceOf(RequestValidationException.class);
        assertThatThrownBy(() -> Moment.of(null, null)).isInstanceOf(RequestValidationException.class);
    }

    private DomainEventMessage<?> event(long sequence, Instant at) {
        return new GenericDomainEventMessage<>("Task", aggregateId, sequence, "payload", MetaData.emptyInstance(),
                                               UUID.randomUUID().toString(), at);
    }

    private static List<Long> versions(Optional<List<DomainEventMessage<?>>> events) {
        return events.orElseThrow().stream().map(DomainEventMessage::getSequenceNumber).toList();
    }
}

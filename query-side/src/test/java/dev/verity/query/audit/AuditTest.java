package dev.verity.query.audit;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TestTokens;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the audit tests share: audit-scoped tokens, hand-made events, waiting for the event log. */
public abstract class AuditTest extends QuerySideTest {

    @Autowired
    private EventStorageEngine storageEngine;

    /** A token as {@code ./verity token --scope audit} mints it. */
    protected static String auditToken(UUID tenantId) {
        return TestTokens.token(JWT_SECRET, tenantId, "audit", Instant.now().plus(Duration.ofMinutes(10)));
    }

    /**
     * Appends one event with exactly the given aggregate type and metadata, for what
     * {@code EventStreams} does not cover (another actor, another aggregate type).
     */
    protected String append(String aggregateType, UUID aggregateId, long sequenceNumber, Object payload,
                            MetaData metaData) {
        String eventId = UUID.randomUUID().toString();
        storageEngine.appendEvents(new GenericDomainEventMessage<>(aggregateType, aggregateId.toString(),
                                                                   sequenceNumber, payload, metaData, eventId,
                                                                   Instant.now()));
        return eventId;
    }

    /** Waits until the live event log holds {@code count} rows of the aggregate. */
    protected void awaitEventLog(UUID aggregateId, int count) {
        await().atMost(Duration.ofSeconds(15))
               .pollInterval(Duration.ofMillis(20))
               .until(() -> owner.queryForObject("SELECT count(*) FROM read_model.event_log WHERE aggregate_id = ?",
                                                 Long.class, aggregateId) >= count);
    }

    protected static void assertProblem(Response response, int status, String code) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("code").asString()).isEqualTo(code);
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
    }
}

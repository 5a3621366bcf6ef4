package dev.verity.query.audit.history;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.audit.AuditedAggregates;
import dev.verity.query.audit.history.StoredHistory.StoredEvent;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.web.ProblemException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One record's audit trail, for any {@link AuditedAggregate}: its history straight from the event
 * store, and its state as of a version or an instant. Unknown ids, other tenants' ids and ids of
 * another aggregate type are all the same 404.
 */
@RestController
@RequestMapping("/api/v1/audit/{aggregateType}/{id}")
class RecordAuditController {

    private final AuditedAggregates aggregates;
    private final StoredHistory storedHistory;
    private final PastState pastState;

    RecordAuditController(AuditedAggregates aggregates, StoredHistory storedHistory, PastState pastState) {
        this.aggregates = aggregates;
        this.storedHistory = storedHistory;
        this.pastState = pastState;
    }

    record History(String aggregateType, UUID aggregateId, List<StoredEvent> items) {
    }

    @GetMapping("/history")
    History history(@PathVariable String aggregateType, @PathVariable UUID id, @AuthenticationPrincipal Jwt jwt) {
        AuditedAggregate aggregate = aggregate(aggregateType);
        List<StoredEvent> events = storedHistory.events(aggregate, Caller.from(jwt).tenantId(), id)
                                                .orElseThrow(() -> notFound(aggregate, ""));
        return new History(aggregate.aggregateType(), id, events);
    }

    /** The body has the shape of the aggregate's normal {@code GET}. */
    @GetMapping("/as-of")
    Object asOf(@PathVariable String aggregateType, @PathVariable UUID id,
                @RequestParam(required = false) Instant at,
                @RequestParam(required = false) Long version,
                @AuthenticationPrincipal Jwt jwt) {
        AuditedAggregate aggregate = aggregate(aggregateType);
        Moment moment = Moment.of(at, version);
        UUID tenantId = Caller.from(jwt).tenantId();
        return pastState.events(aggregate, tenantId, id)
                        .map(events -> pastState.at(aggregate, events, tenantId, id, moment)
                                                .orElseThrow(() -> notFound(aggregate, " as of " + moment)))
                        .orElseThrow(() -> notFound(aggregate, ""));
    }

    private AuditedAggregate aggregate(String pathName) {
        return aggregates.byPathName(pathName).orElseThrow(() -> ProblemException.notFound("audited record type"));
    }

    private static ProblemException notFound(AuditedAggregate aggregate, String when) {
        return ProblemException.notFound(aggregate.aggregateType().toLowerCase(Locale.ROOT) + when);
    }
}

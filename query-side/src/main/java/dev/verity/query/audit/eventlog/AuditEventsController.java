package dev.verity.query.audit.eventlog;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.audit.AuditedAggregates;
import dev.verity.query.audit.eventlog.EventLogQueries.EventFilter;
import dev.verity.query.audit.eventlog.EventLogQueries.EventLogEntry;
import dev.verity.query.audit.eventlog.EventLogQueries.EventPage;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.web.RequestValidationException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Every event of the caller's tenant, from the {@code event_log} projection, filtered and paged. */
@RestController
class AuditEventsController {

    private final EventLogQueries queries;
    private final AuditedAggregates aggregates;

    AuditEventsController(EventLogQueries queries, AuditedAggregates aggregates) {
        this.queries = queries;
        this.aggregates = aggregates;
    }

    record Page(List<EventLogEntry> items, String nextCursor) {
    }

    /**
     * {@code aggregateType} takes the stored type ({@code Task}) or the audit API's path name for it
     * ({@code tasks}); {@code from} is inclusive and {@code to} exclusive.
     */
    @GetMapping("/api/v1/audit/events")
    Page events(@RequestParam(required = false) String aggregateType,
                @RequestParam(required = false) UUID aggregateId,
                @RequestParam(required = false) UUID projectId,
                @RequestParam(required = false) String eventType,
                @RequestParam(required = false) String actorId,
                @RequestParam(required = false) Instant from,
                @RequestParam(required = false) Instant to,
                @RequestParam(defaultValue = "100") @Min(1) @Max(500) int limit,
                @RequestParam(required = false) String cursor,
                @AuthenticationPrincipal Jwt jwt) {
        if (from != null && to != null && !to.isAfter(from)) {
            throw new RequestValidationException("to", "must be after from");
        }
        String storedType = aggregateType == null ? null
                : aggregates.byPathName(aggregateType).map(AuditedAggregate::aggregateType).orElse(aggregateType);
        EventFilter filter = new EventFilter(storedType, aggregateId, projectId, eventType, actorId, from, to);
        EventPage page = queries.events(Caller.from(jwt).tenantId(), filter, GlobalIndexCursor.decode(cursor), limit);
        return new Page(page.items(), page.last() == null ? null : GlobalIndexCursor.encode(page.last()));
    }
}

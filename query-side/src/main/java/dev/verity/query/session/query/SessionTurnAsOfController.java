package dev.verity.query.session.query;

import dev.verity.events.session.SessionEvent.TurnRecorded;
import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.audit.AuditedAggregates;
import dev.verity.query.audit.history.Moment;
import dev.verity.query.audit.history.PastState;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.web.ProblemException;
import jakarta.validation.constraints.Min;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/v1/audit/sessions/{id}/as-of?turn=N}: a session as it stood at the end of
 * conversation turn N (its obligations included), i.e. after every event up to the one that
 * started turn N + 1; turn 0 is before the first turn. The audit API's own as-of answers
 * {@code ?at=} and {@code ?version=}; this only translates a turn into a version and asks it.
 */
@RestController
class SessionTurnAsOfController {

    private final AuditedAggregates aggregates;
    private final PastState pastState;

    SessionTurnAsOfController(AuditedAggregates aggregates, PastState pastState) {
        this.aggregates = aggregates;
        this.pastState = pastState;
    }

    @GetMapping(path = {"/api/v1/audit/sessions/{id}/as-of", "/api/v1/audit/session/{id}/as-of"}, params = "turn")
    Object asOfTurn(@PathVariable UUID id, @RequestParam @Min(0) int turn, @AuthenticationPrincipal Jwt jwt) {
        AuditedAggregate aggregate = aggregates.byPathName("sessions").orElseThrow();
        UUID tenantId = Caller.from(jwt).tenantId();
        List<DomainEventMessage<?>> events = pastState.events(aggregate, tenantId, id)
                                                      .orElseThrow(() -> ProblemException.notFound("session"));
        long version = endOfTurn(events, turn);
        return pastState.at(aggregate, events, tenantId, id, new Moment.Version(version))
                        .orElseThrow(() -> ProblemException.notFound("session as of turn " + turn));
    }

    /** The version of the last event before turn {@code turn + 1} began. */
    private static long endOfTurn(List<DomainEventMessage<?>> events, int turn) {
        boolean reached = turn == 0;
        for (DomainEventMessage<?> event : events) {
            if (event.getPayload() instanceof TurnRecorded recorded) {
                if (recorded.turnNumber() == turn + 1) {
                    return event.getSequenceNumber() - 1;
                }
                reached |= recorded.turnNumber() == turn;
            }
        }
        if (!reached) {
            throw ProblemException.notFound("session as of turn " + turn + ": it has not had that many turns");
        }
        return events.get(events.size() - 1).getSequenceNumber();
    }
}

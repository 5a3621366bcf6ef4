package dev.verity.query.session.query;

import dev.verity.events.common.Wire;
import dev.verity.events.session.ObligationStatus;
import dev.verity.events.session.SessionStatus;
import dev.verity.query.platform.security.Caller;
import dev.verity.query.platform.tenancy.KeysetPage;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.platform.web.ReadYourWrites;
import dev.verity.query.platform.web.RequestValidationException;
import dev.verity.query.platform.web.UuidCursor;
import dev.verity.query.session.query.ObligationSearch.Hit;
import dev.verity.query.session.query.SessionQueries.ObligationEventRow;
import dev.verity.query.session.query.SessionQueries.ObligationRow;
import dev.verity.query.session.query.SessionQueries.SessionDetail;
import dev.verity.query.session.query.SessionQueries.SessionFilter;
import dev.verity.query.session.query.SessionQueries.SessionRow;
import dev.verity.query.session.query.SessionQueries.VersionedObligation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The elicitation session read API; every read runs as the caller's tenant. */
@RestController
@RequestMapping("/api/v1/sessions")
class SessionQueryController {

    private final SessionQueries queries;
    private final ObligationSearch search;
    private final ReadYourWrites readYourWrites;
    /** One instance, so every session read waiting on minVersion shares one version look per tenant. */
    private final ReadYourWrites.Versions sessionVersions;

    SessionQueryController(SessionQueries queries, ObligationSearch search, ReadYourWrites readYourWrites) {
        this.queries = queries;
        this.search = search;
        this.readYourWrites = readYourWrites;
        this.sessionVersions = queries::versions;
    }

    record Page(List<SessionRow> items, String nextCursor) {
    }

    record Items<T>(List<T> items) {
    }

    /** {@code ETag} is the session's version, the number the command API returned. */
    @GetMapping("/{id}")
    CompletableFuture<ResponseEntity<SessionDetail>> session(@PathVariable UUID id,
                                                             @RequestParam(required = false) @Min(0) Long minVersion,
                                                             @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        return readYourWrites.read(minVersion, sessionVersions, tenantId, id, () -> queries.session(tenantId, id),
                                   s -> s.session().version())
                             .thenApply(found -> found.map(s -> ResponseEntity.ok()
                                                                  .eTag("\"" + s.session().version() + "\"")
                                                                  .body(s))
                                                      .orElseThrow(() -> ProblemException.notFound("session")));
    }

    @GetMapping
    Page sessions(@RequestParam(required = false) UUID projectId,
                  @RequestParam(required = false) String status,
                  @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
                  @RequestParam(required = false) String cursor,
                  @AuthenticationPrincipal Jwt jwt) {
        SessionFilter filter = new SessionFilter(projectId, wire(SessionStatus.class, "status", status));
        KeysetPage<SessionRow> page = queries.sessions(Caller.from(jwt).tenantId(), filter, UuidCursor.decode(cursor), limit);
        return new Page(page.items(), page.last() == null ? null : UuidCursor.encode(page.last()));
    }

    /** Without embeddings: a list of obligations is no place for 1536 numbers each. */
    @GetMapping("/{id}/obligations")
    Items<ObligationRow> obligations(@PathVariable UUID id,
                                     @RequestParam(required = false) String status,
                                     @RequestParam(required = false) String category,
                                     @AuthenticationPrincipal Jwt jwt) {
        return new Items<>(queries.obligations(Caller.from(jwt).tenantId(), id,
                                               wire(ObligationStatus.class, "status", status), category)
                                  .orElseThrow(() -> ProblemException.notFound("session")));
    }

    /**
     * One obligation; {@code ?include=embedding} adds its vector. {@code ETag} and
     * {@code minVersion} are the session's version, which every change of an obligation moves.
     */
    @GetMapping("/{id}/obligations/{key}")
    CompletableFuture<ResponseEntity<ObligationRow>> obligation(@PathVariable UUID id, @PathVariable String key,
                                                                @RequestParam(required = false) String include,
                                                                @RequestParam(required = false) @Min(0) Long minVersion,
                                                                @AuthenticationPrincipal Jwt jwt) {
        if (include != null && !"embedding".equals(include)) {
            throw new RequestValidationException("include", "can only be embedding");
        }
        UUID tenantId = Caller.from(jwt).tenantId();
        boolean withEmbedding = include != null;
        return readYourWrites.read(minVersion, sessionVersions, tenantId, id,
                                   () -> queries.obligation(tenantId, id, key, withEmbedding),
                                   VersionedObligation::sessionVersion)
                             .thenApply(found -> found.map(o -> ResponseEntity.ok()
                                                                  .eTag("\"" + o.sessionVersion() + "\"")
                                                                  .body(o.obligation()))
                                                      .orElseThrow(() -> ProblemException.notFound("obligation")));
    }

    /** The seed's {@code obligation_events} rows of one obligation, in order. */
    @GetMapping("/{id}/obligations/{key}/events")
    Items<ObligationEventRow> events(@PathVariable UUID id, @PathVariable String key, @AuthenticationPrincipal Jwt jwt) {
        return new Items<>(queries.events(Caller.from(jwt).tenantId(), id, key)
                                  .orElseThrow(() -> ProblemException.notFound("session")));
    }

    /** The tenant's obligations nearest to this one's stored embedding, itself left out. */
    @GetMapping("/{id}/obligations/{key}/similar")
    Items<Hit> similar(@PathVariable UUID id, @PathVariable String key,
                       @RequestParam(defaultValue = "10") @Min(1) @Max(100) int limit,
                       @AuthenticationPrincipal Jwt jwt) {
        UUID tenantId = Caller.from(jwt).tenantId();
        ObligationRow obligation = queries.obligation(tenantId, id, key, true)
                                          .orElseThrow(() -> ProblemException.notFound("obligation"))
                                          .obligation();
        if (obligation.embedding() == null) {
            throw ProblemException.conflict("no_embedding", "Obligation " + key + " has no embedding yet;"
                                            + " PUT one on the command API first");
        }
        return new Items<>(search.nearest(tenantId, obligation.embedding(), limit,
                                          new ObligationSearch.Filter(null, null, null, id, key)));
    }

    /** Filters take the spelling the API returns ({@code satisfied}, {@code active}). */
    static <E extends Enum<E> & Wire> String wire(Class<E> type, String field, String value) {
        if (value == null) {
            return null;
        }
        return Wire.parse(type, value)
                   .map(Wire::wire)
                   .orElseThrow(() -> new RequestValidationException(field, "is not a known " + field));
    }
}

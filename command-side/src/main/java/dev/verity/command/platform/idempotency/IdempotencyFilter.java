package dev.verity.command.platform.idempotency;

import dev.verity.command.platform.guard.SecretDetector;
import dev.verity.command.platform.security.Caller;
import dev.verity.command.platform.web.BufferedRequest;
import dev.verity.command.platform.web.ProblemResponses;
import dev.verity.store.StorageFailures;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on any command: a retry with the same key and request answers what
 * the first attempt answered, and has no second effect. The whole request runs in one database
 * transaction that first claims the key and then (Axon joins the transaction) appends the
 * command's events, so the key and the events commit together or not at all. A concurrent retry
 * blocks on the claimed key until the first attempt ends, then replays its answer. A rejected
 * command (4xx) rolls back, claim included: it had no effect, so a retry may run it again. So
 * does a failed one (5xx): a 5xx is never kept as the answer to replay. When the database goes
 * away (even during COMMIT, whose outcome the app cannot know) the answer is a 503, and a retry
 * with the key either replays the committed answer or runs the command for the first time.
 * <p>
 * Action submissions are left alone: their key is part of the domain (the Task aggregate answers
 * a retry with 200 and the first submission's id), not just transport.
 */
@Component
class IdempotencyFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);
    private static final Pattern SUBMISSIONS = Pattern.compile("^/api/v1/tasks/[^/]+/actions/[^/]+/submissions$");
    private static final int MAX_KEY_LENGTH = 255;
    private static final SecretDetector SECRETS = new SecretDetector();

    private final IdempotencyKeys keys;
    private final TransactionTemplate transactions;

    IdempotencyFilter(IdempotencyKeys keys, PlatformTransactionManager transactionManager) {
        this.keys = keys;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("POST".equals(request.getMethod()) || "PUT".equals(request.getMethod()))
               || request.getHeader(IdempotencyHeaders.KEY) == null
               || !request.getRequestURI().startsWith("/api/")
               || SUBMISSIONS.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Caller> caller = caller();
        String key = request.getHeader(IdempotencyHeaders.KEY);
        if (caller.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            ProblemResponses.write(response, HttpStatus.BAD_REQUEST, "validation_failed",
                         "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters");
            return;
        }
        if (SECRETS.credentialIn(key).isPresent()) {
            // The key is kept with the answer for the retention period, outside the command guard's reach.
            ProblemResponses.write(response, HttpStatus.BAD_REQUEST, "secret_rejected",
                                   "Idempotency-Key looks like a credential; secrets must not be sent to Verity");
            return;
        }
        BufferedRequest buffered = BufferedRequest.readFully(request);
        byte[] fingerprint = RequestFingerprint.of(request.getMethod(), request.getRequestURI(), buffered.body());
        ContentCachingResponseWrapper captured = new ContentCachingResponseWrapper(response);
        Outcome outcome;
        try {
            outcome = transactions.execute(status -> claimAndRun(
                    status, caller.get(), key, fingerprint, buffered, captured, chain));
        } catch (RuntimeException e) {
            if (!StorageFailures.isStorageUnavailable(e) || response.isCommitted()) {
                throw e;
            }
            // Claim, events and answer went nowhere or all committed (a failed COMMIT cannot tell):
            // either way a retry with this key has exactly one effect, so the 2xx the controller
            // prepared is dropped, headers and all, for a 503.
            log.warn("Storage unavailable around Idempotency-Key request, answering 503: {}", e.toString());
            response.reset();
            ProblemResponses.writeStorageUnavailable(response);
            return;
        }
        switch (outcome.kind()) {
            case EXECUTED -> captured.copyBodyToResponse();
            case REPLAYED -> replay(response, outcome.stored());
            case CONFLICT -> ProblemResponses.write(response, HttpStatus.CONFLICT, "idempotency_conflict",
                                          "Idempotency-Key " + key + " was already used for another request");
            default -> throw new IllegalStateException("Unknown outcome " + outcome.kind());
        }
    }

    private Outcome claimAndRun(TransactionStatus status, Caller caller, String key, byte[] fingerprint,
                                BufferedRequest request, ContentCachingResponseWrapper response, FilterChain chain) {
        if (!keys.claim(caller.tenantId(), key, fingerprint)) {
            StoredResponse stored = keys.find(caller.tenantId(), key).orElseThrow();
            return stored.matches(fingerprint) ? Outcome.replayed(stored) : Outcome.conflict();
        }
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException e) {
            throw new IllegalStateException(e);
        }
        if (response.getStatus() >= 400) {
            // A rejection had no effect, and a 5xx (such as a 503 for the database) is no answer to replay.
            status.setRollbackOnly();
        } else {
            keys.complete(caller.tenantId(), key, new StoredResponse(
                    fingerprint, response.getStatus(), response.getContentType(),
                    new String(response.getContentAsByteArray(), StandardCharsets.UTF_8),
                    response.getHeader("ETag"), response.getHeader("Location")));
        }
        return Outcome.executed();
    }

    private static void replay(HttpServletResponse response, StoredResponse stored) throws IOException {
        response.setStatus(stored.status());
        response.setHeader(IdempotencyHeaders.REPLAYED, "true");
        if (stored.etag() != null) {
            response.setHeader("ETag", stored.etag());
        }
        if (stored.location() != null) {
            response.setHeader("Location", stored.location());
        }
        if (stored.contentType() != null) {
            response.setContentType(stored.contentType());
        }
        if (stored.body() != null) {
            response.getOutputStream().write(stored.body().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Optional<Caller> caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof JwtAuthenticationToken jwt ? Optional.of(Caller.from(jwt.getToken()))
                                                                     : Optional.empty();
    }

    private record Outcome(Kind kind, StoredResponse stored) {

        enum Kind { EXECUTED, REPLAYED, CONFLICT }

        static Outcome executed() {
            return new Outcome(Kind.EXECUTED, null);
        }

        static Outcome replayed(StoredResponse stored) {
            return new Outcome(Kind.REPLAYED, stored);
        }

        static Outcome conflict() {
            return new Outcome(Kind.CONFLICT, null);
        }
    }
}

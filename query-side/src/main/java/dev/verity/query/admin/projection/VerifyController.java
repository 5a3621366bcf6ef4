package dev.verity.query.admin.projection;

import dev.verity.query.platform.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Proof that the tables are what the event store says, synchronous: each call answers when the
 * comparison is done, {@code ok} only when every compared table matches.
 * <ul>
 * <li>{@code POST /api/v1/admin/verify} (scope {@code operator}): rebuilds every read-model table
 *     into a scratch schema and compares it with the live one, every tenant's rows;</li>
 * <li>{@code POST /api/v1/audit/verify} (scope {@code audit}): the same for the caller's tenant
 *     only, its events replayed and its rows compared, so a tenant's auditor can prove its own
 *     tables without seeing or pausing anyone else's.</li>
 * </ul>
 */
@RestController
class VerifyController {

    private final Verification verification;

    VerifyController(Verification verification) {
        this.verification = verification;
    }

    @PostMapping("/api/v1/admin/verify")
    Verification.Result verify() {
        return verification.verify();
    }

    @PostMapping("/api/v1/audit/verify")
    Verification.Result verifyTenant(@AuthenticationPrincipal Jwt jwt) {
        return verification.verify(Caller.from(jwt).tenantId());
    }
}

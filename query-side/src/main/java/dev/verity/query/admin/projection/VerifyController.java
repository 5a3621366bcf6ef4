package dev.verity.query.admin.projection;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/admin/verify} (scope {@code admin}): rebuilds every read-model table into a
 * scratch schema and compares it with the live one; {@code ok} only when every table matches.
 * Synchronous: it answers when the comparison is done.
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
}

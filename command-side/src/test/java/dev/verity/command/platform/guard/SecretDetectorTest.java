package dev.verity.command.platform.guard;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SecretDetectorTest {

    private final SecretDetector detector = new SecretDetector();

    @Test
    void isCredentialEntry_refusesNamesEndingInACredentialWord_withSeparatorsAndCaseIgnored() {
        for (String name : List.of("password", "DB_PASSWORD", "githubToken", "api_key", "api-key", "x-api-key",
                                   "privateKey", "client_secret", "secret_key", "pwd", "passphrase", "cookie",
                                   "Set-Cookie", "session", "session_id", "Authorization", "credentials")) {
            assertThat(detector.isCredentialEntry(name, "v")).as(name).isTrue();
        }
    }

    @Test
    void isCredentialEntry_allowsNamesThatOnlyStartWithACredentialWord() {
        for (String name : List.of("tokenizer", "token_count", "max_tokens", "nextPageToken", "passport", "author",
                                   "key", "componentKey", "idempotencyKey", "keyboard", "session_timeout",
                                   "cookie_consent", "password_min_length")) {
            assertThat(detector.isCredentialEntry(name, "v")).as(name).isFalse();
        }
    }

    @Test
    void isCredentialEntry_allowsACredentialNameWithoutData() {
        assertThat(detector.isCredentialEntry("password", null)).isFalse();
        assertThat(detector.isCredentialEntry("password", " ")).isFalse();
        assertThat(detector.isCredentialEntry("hasPassword", true)).isFalse();
        assertThat(detector.isCredentialEntry("secret", Collections.singletonMap("a", null))).isFalse();
        assertThat(detector.isCredentialEntry("secret", Map.of("a", List.of("x")))).isTrue();
    }

    @Test
    void isCredentialEntry_seesThroughLookAlikes() {
        for (String name : List.of("p\u0430ssword", "\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44",
                                   "pass\u200bword", "t\u03bfken", "PA\u0308SSWORD", "\u0130-pwd")) {
            assertThat(detector.isCredentialEntry(name, "v")).as(name).isTrue();
        }
    }

    @Test
    void credentialIn_findsCredentialShapes_anywhereInTheText() {
        for (String value : List.of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
                                    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
                                    "Bearer abcdefghijklmnopqrstuvwxyz",
                                    "AKIAIOSFODNN7EXAMPLE",
                                    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                                    "here is my token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
                                    "key=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                                    "password: hunter2!")) {
            assertThat(detector.credentialIn(value)).as(value).isPresent();
        }
    }

    @Test
    void credentialIn_allowsOrdinaryText() {
        for (String value : List.of("Rotate the tokens next week", "password reset flow", "password: required",
                                    "key=value", "0190c3a0-0000-7000-8000-000000000001",
                                    "9fceb02d0ae598e95dc970b74767f19372d61af8")) {
            assertThat(detector.credentialIn(value)).as(value).isEmpty();
        }
    }

    @Test
    void readable_foldsWidthRemovesInvisiblesAndReadsLookAlikesAsLatin() {
        assertThat(SecretDetector.readable("\uff21\uff2b\uff29\uff21 p\u0430ss\u200bw\u03bfrd caf\u00e9"))
                .isEqualTo("AKIA password cafe");
    }

    /** A step result may hold 100,000 characters: a quadratic pattern would take minutes, a recursive one overflow. */
    @Test
    void credentialIn_staysLinear_onLongAdversarialText() {
        List<String> texts = List.of("a=".repeat(50_000), "a:".repeat(50_000), "x".repeat(100_000),
                                     "eyJ" + "a".repeat(99_990), "BEGIN ".repeat(16_000), "s://a:".repeat(16_000));
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> texts.forEach(detector::credentialIn));
    }
}

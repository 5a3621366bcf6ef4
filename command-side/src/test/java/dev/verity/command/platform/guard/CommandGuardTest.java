package dev.verity.command.platform.guard;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.command.platform.DomainException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storability half of the guard, and how it names what it refuses, on a command of its own. */
class CommandGuardTest {

    enum Kind { PLAIN }

    record Note(String text, Kind kind) {
    }

    record Sample(String title, Instant dueDate, List<String> tags, List<UUID> dependencies, Note note,
                  Map<String, Object> metadata) {
    }

    private final CommandGuard guard = new CommandGuard(JsonLimits.defaults());

    private static Sample title(String title) {
        return new Sample(title, null, null, null, null, null);
    }

    private static Sample metadata(Map<String, Object> metadata) {
        return new Sample("t", null, null, null, null, metadata);
    }

    private static CommandMessage<?> command(Object payload) {
        return GenericCommandMessage.asCommandMessage(payload);
    }

    private static DomainException refusal(CommandGuard guard, Object payload) {
        try {
            guard.check(command(payload));
        } catch (DomainException e) {
            return e;
        }
        throw new AssertionError("expected " + payload + " to be refused");
    }

    private DomainException refusal(Object payload) {
        return refusal(guard, payload);
    }

    private static void assertField(DomainException e, String code, String field) {
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.status().value()).isEqualTo(400);
        assertThat(e.errors()).singleElement().satisfies(error -> assertThat(error).containsEntry("field", field));
        assertThat(e.getMessage()).startsWith(field + " ");
    }

    @Test
    void check_refuses_nulInAString_namingTheField() {
        assertField(refusal(title("a\u0000b")), "validation_failed", "title");
    }

    @Test
    void check_refuses_nulInANestedRecordOrListItem_namingItsPath() {
        assertField(refusal(new Sample("t", null, null, null, new Note("x\u0000", Kind.PLAIN), null)),
                    "validation_failed", "note.text");
        assertField(refusal(new Sample("t", null, List.of("a", "b", "\u0000"), null, null, null)),
                    "validation_failed", "tags[2]");
        assertField(refusal(metadata(Map.of("nested", Map.of("key", List.of("ok", "bad\u0000"))))),
                    "validation_failed", "metadata.nested.key[1]");
    }

    @Test
    void check_refuses_nulInAJsonKey_namingTheMapThatHoldsIt() {
        DomainException e = refusal(metadata(Map.of("outer", Map.of("in\u0000ner", 1))));

        assertField(e, "validation_failed", "metadata.outer");
        assertThat(e.getMessage()).contains("has a key").doesNotContain("\u0000");
    }

    @Test
    void check_refuses_unpairedSurrogates_butAcceptsPairedOnes() {
        assertField(refusal(title("a\ud800b")), "validation_failed", "title");
        assertThatNoException().isThrownBy(() -> guard.check(command(title("pizza \ud83c\udf55"))));
    }

    @Test
    void check_refuses_1e400InMetadata_whichParsesAsInfinity() throws Exception {
        Map<String, Object> parsed = new ObjectMapper().readValue("{\"score\": {\"value\": 1e400}}", new TypeReference<>() { });

        assertField(refusal(metadata(parsed)), "validation_failed", "metadata.score.value");
        assertField(refusal(metadata(Map.of("nan", Double.NaN))), "validation_failed", "metadata.nan");
        assertField(refusal(metadata(Map.of("f", Float.NEGATIVE_INFINITY))), "validation_failed", "metadata.f");
    }

    @Test
    void check_refuses_instantsOutsideYears0001To9999() {
        for (String far : List.of("+1000000000-12-31T23:59:59Z", "0000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z")) {
            assertField(refusal(new Sample("t", Instant.parse(far), null, null, null, null)), "validation_failed",
                        "dueDate");
        }
    }

    @Test
    void check_accepts_instantsAtTheEdgesOfYears0001To9999() {
        for (String edge : List.of("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z")) {
            assertThatNoException().isThrownBy(
                    () -> guard.check(command(new Sample("t", Instant.parse(edge), null, null, null, null))));
        }
    }

    /** {"a":"..."} is 8 bytes around the string. */
    private static Map<String, Object> ofJsonSize(long bytes) {
        return Map.of("a", "x".repeat((int) bytes - 8));
    }

    @Test
    void check_accepts_aFieldOfExactly64KiB_andRefusesOneByteMore() throws Exception {
        assertThat(new ObjectMapper().writeValueAsBytes(ofJsonSize(65_536))).hasSize(65_536);

        assertThatNoException().isThrownBy(() -> guard.check(command(metadata(ofJsonSize(65_536)))));
        assertField(refusal(metadata(ofJsonSize(65_537))), "validation_failed", "metadata");
    }

    /** Ten maps of 99 keys under ten keys: 1,000 keys in all, plus extra at the top. */
    private static Map<String, Object> withKeys(int extra) {
        Map<String, Object> field = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            Map<String, Object> inner = new HashMap<>();
            for (int j = 0; j < 99; j++) {
                inner.put("k" + j, j);
            }
            field.put("group" + i, inner);
        }
        for (int i = 0; i < extra; i++) {
            field.put("extra" + i, i);
        }
        return field;
    }

    @Test
    void check_accepts_exactly1000KeysInAll_andRefusesOneMore() {
        assertThatNoException().isThrownBy(() -> guard.check(command(metadata(withKeys(0)))));
        DomainException e = refusal(metadata(withKeys(1)));

        assertField(e, "validation_failed", "metadata");
        assertThat(e.getMessage()).contains("1000 keys");
    }

    private static Map<String, Object> nested(int depth) {
        Map<String, Object> field = Map.of("leaf", 1);
        for (int level = 1; level < depth; level++) {
            field = Map.of("n", field);
        }
        return field;
    }

    @Test
    void check_accepts_32LevelsOfNesting_andRefuses33() {
        assertThatNoException().isThrownBy(() -> guard.check(command(metadata(nested(32)))));
        assertField(refusal(metadata(nested(33))), "validation_failed", "metadata");
    }

    @Test
    void check_appliesConfiguredLimits() {
        CommandGuard strict = new CommandGuard(new JsonLimits(DataSize.ofBytes(20), 2, 2));

        assertThat(refusal(strict, metadata(Map.of("a", 1, "b", 2, "c", 3))).getMessage()).contains("2 keys");
        assertThat(refusal(strict, metadata(Map.of("a", Map.of("b", List.of())))).getMessage()).contains("2 levels");
        assertThat(refusal(strict, metadata(Map.of("a", "0123456789abcdef"))).getMessage()).contains("20 bytes");
    }

    @Test
    void check_namesMetadataByWhereTheClientGaveIt() {
        CommandMessage<?> message = command(title("t"))
                .andMetaData(MetaData.with("correlationId", "req\u0000").and("actorId", "alice"));

        assertThatThrownBy(() -> guard.check(message)).isInstanceOfSatisfying(
                DomainException.class, e -> assertField(e, "validation_failed", "X-Correlation-Id"));
    }

    @Test
    void check_refusesCredentials_namingThePath_withoutQuotingTheValue() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
        DomainException e = refusal(metadata(Map.of("integrations", List.of(Map.of("name", "crm", "note", jwt)))));

        assertField(e, "secret_rejected", "metadata.integrations[0].note");
        assertThat(e.getMessage()).doesNotContain(jwt).contains("JSON Web Token");
    }

    @Test
    void check_fails_onATypeItCannotSeeInto() {
        record Opaque(Object value) {
        }
        assertThatThrownBy(() -> guard.check(command(new Opaque(new Object()))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("value");
    }
}

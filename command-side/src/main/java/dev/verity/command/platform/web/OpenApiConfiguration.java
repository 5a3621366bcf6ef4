package dev.verity.command.platform.web;

import dev.verity.command.platform.security.ScopeRules;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command API at {@code /v3/api-docs}: springdoc reads the controllers; this adds what it
 * cannot see there. Every command takes the bearer scheme with the scopes {@link ScopeRules}
 * enforces, the headers {@link CommandContextResolver} reads (If-Match, Idempotency-Key,
 * X-Correlation-Id), and the problems any command can answer, in the shape {@link ProblemResponses}
 * and {@link ProblemHandler} write.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String SCHEME = "bearer";
    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    /** What every command may answer besides its success; 404 only where the path names a record. */
    private static final Map<String, String> PROBLEMS = new TreeMap<>(Map.of(
            "400", "validation_failed, malformed_request, secret_rejected...: errors name each field",
            "401", "unauthorized: no, bad or expired token",
            "403", "forbidden: the token lacks scope write",
            "409", "a rule or state conflict (invalid_transition, already_exists, idempotency_conflict...)",
            "412", "version_mismatch: If-Match names an older version",
            "413", "payload_too_large: a body over verity.limits.max-request-body",
            "415", "unsupported_media_type: the body is not JSON",
            "500", "internal_error (logged; the body never says why)",
            "503", "storage_unavailable, with Retry-After: retry with the same Idempotency-Key"));

    static {
        // Resolved from headers and the token, never from the query string springdoc would assume.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(CommandContext.class);
    }

    @Bean
    OpenAPI commandApi() {
        SecurityScheme bearer = new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .bearerFormat("JWT")
                .description("HS256 JWT: sub, tenant_id, scope (commands need write), exp; ./verity token mints one");
        return new OpenAPI()
                .info(new Info().title("Verity command API").version("v1")
                                .description("Commands: each accepted one appends events and answers {id, version}"
                                             + " with an ETag; reads are on the query API."))
                .components(new Components().addSecuritySchemes(SCHEME, bearer));
    }

    @Bean
    OpenApiCustomizer commandProblemsAndScopes() {
        return api -> {
            // Not on the bean: springdoc puts the schemas it generates in place of the bean's.
            api.getComponents().addSchemas("Problem", problem());
            api.getPaths().forEach((template, item) -> item.readOperationsMap().forEach(
                    (method, operation) -> describeCommand(template, HttpMethod.valueOf(method.name()), operation)));
        };
    }

    private static void describeCommand(String template, HttpMethod method, Operation operation) {
        List<String> scopes = ScopeRules.find(method, template).map(ScopeRules.Rule::scopes).orElse(List.of());
        operation.addSecurityItem(new SecurityRequirement().addList(SCHEME, scopes));
        operation.addExtension("x-required-scopes", scopes);
        commandHeaders(operation);
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        PROBLEMS.forEach((status, meaning) -> responses.addApiResponse(status, problemResponse(meaning)));
        if (template.contains("{")) {
            responses.addApiResponse("404", problemResponse("not_found (or another tenant's record), or a"
                                                            + " member such as action_not_found"));
        }
        operation.setResponses(responses);
    }

    private static void commandHeaders(Operation operation) {
        operation.addParametersItem(new HeaderParameter().name("If-Match").required(false)
                .description("\"<version>\": answer 412 unless the record is at this version")
                .schema(new StringSchema()));
        operation.addParametersItem(new HeaderParameter().name("Idempotency-Key").required(false)
                .description("1-255 characters; a retry with the same key and request replays the first answer")
                .schema(new StringSchema().maxLength(255)));
        operation.addParametersItem(new HeaderParameter().name("X-Correlation-Id").required(false)
                .description("kept on every event the command causes").schema(new StringSchema()));
    }

    private static ApiResponse problemResponse(String meaning) {
        return new ApiResponse().description(meaning).content(new Content().addMediaType(
                "application/problem+json", new MediaType().schema(new Schema<>().$ref(PROBLEM_REF))));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema problem() {
        ObjectSchema error = new ObjectSchema();
        error.addProperty("field", new StringSchema().example("metadata.db.note"));
        error.addProperty("message", new StringSchema());
        return new ObjectSchema()
                .description("RFC 9457 problem details with a stable code")
                .addProperty("type", new StringSchema().example("urn:verity:problem:invalid_transition"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("code", new StringSchema())
                .addProperty("errors", new ArraySchema().items(error).description("one per invalid field"))
                .required(List.of("type", "title", "status", "code"));
    }
}

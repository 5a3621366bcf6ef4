package dev.verity.query.platform.web;

import dev.verity.query.platform.security.ScopeRules;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query API's OpenAPI description at {@code /v3/api-docs} (springdoc builds it from the
 * controllers): every operation gets the bearer scheme with the scopes {@link ScopeRules} enforces,
 * and the RFC 9457 problems it can answer, in the one shape {@link ProblemHandler} writes.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String BEARER = "bearer";
    static final String PROBLEM = "Problem";
    private static final String PROBLEM_JSON = "application/problem+json";

    @Bean
    OpenAPI queryApi() {
        return new OpenAPI()
                .info(new Info().title("Verity query API").version("v1")
                                .description("Reads of the read model, audit, projection operations and the live"
                                             + " stream. Every call takes Authorization: Bearer <JWT> (HS256); errors"
                                             + " are application/problem+json with a stable code."))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                                .description("HS256 JWT with sub, tenant_id, scope (space-separated: read, write,"
                                             + " audit, admin, operator) and exp; ./verity token mints one")));
    }

    @Bean
    OpenApiCustomizer problemsAndScopes() {
        return api -> {
            // Here rather than on the bean: springdoc sets the schemas it generates in place of the bean's.
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach(
                    (method, operation) -> describe(path, method, operation)));
        };
    }

    private static void describe(String path, PathItem.HttpMethod method, Operation operation) {
        List<String> scopes = ScopeRules.find(HttpMethod.valueOf(method.name()), path)
                                        .map(ScopeRules.Rule::scopes).orElse(List.of());
        operation.addSecurityItem(new SecurityRequirement().addList(BEARER, scopes));
        operation.addExtension("x-required-scopes", scopes);
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        Map<String, String> problems = new LinkedHashMap<>();
        problems.put("400", "validation_failed or malformed_request; errors name each field or parameter");
        problems.put("401", "unauthorized: no, bad or expired token");
        problems.put("403", scopes.isEmpty() ? "forbidden: the token lacks a scope the request needs"
                                             : "forbidden: the token has none of " + String.join(", ", scopes));
        if (path.contains("{")) {
            problems.put("404", "not_found: unknown, or another tenant's");
        }
        if (method != PathItem.HttpMethod.GET) {
            problems.put("409", "a conflicting state; code says which");
        }
        problems.put("500", "internal_error (logged; the body never says why)");
        problems.put("503", "storage_unavailable, too_many_waiters or too_many_streams, with Retry-After");
        problems.forEach((status, description) -> responses.addApiResponse(status, problem(description)));
        operation.setResponses(responses);
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(
                PROBLEM_JSON, new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
    }

    @SuppressWarnings("rawtypes")
    private static Schema problemSchema() {
        ObjectSchema fieldError = new ObjectSchema();
        fieldError.addProperty("field", new StringSchema().description("the field, parameter or header, e.g. topics"));
        fieldError.addProperty("message", new StringSchema());
        ObjectSchema problem = new ObjectSchema();
        problem.description("RFC 9457 problem details");
        problem.addProperty("type", new StringSchema().example("urn:verity:problem:validation_failed"));
        problem.addProperty("title", new StringSchema());
        problem.addProperty("status", new IntegerSchema());
        problem.addProperty("detail", new StringSchema());
        problem.addProperty("instance", new StringSchema());
        problem.addProperty("code", new StringSchema().description("stable and machine-readable"));
        problem.addProperty("errors", new ArraySchema().items(fieldError)
                                                       .description("validation problems only: one per field"));
        problem.setRequired(List.of("type", "title", "status", "code"));
        return problem;
    }
}

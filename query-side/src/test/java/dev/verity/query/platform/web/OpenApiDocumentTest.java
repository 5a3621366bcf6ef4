package dev.verity.query.platform.web;

import dev.verity.query.ApiClient.Response;
import dev.verity.query.QuerySideTest;
import dev.verity.query.platform.security.ScopeRules;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v3/api-docs} describes every endpoint the controllers map, with its parameters, scopes and problems. */
class OpenApiDocumentTest extends QuerySideTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    @Test
    void apiDocs_answerWithoutAToken_andListEveryMappedEndpointWithItsParameters() throws IOException {
        Response response = api().get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        JsonNode paths = response.body().get("paths");
        // Kept for readers of the build: the document as served.
        Files.writeString(Path.of("target", "openapi-query.json"), response.body().toPrettyString());
        int checked = 0;
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
            if (!mapping.getValue().getBeanType().getPackageName().startsWith("dev.verity")) {
                continue;
            }
            for (String path : mapping.getKey().getPatternValues()) {
                if ("/error".equals(path)) {
                    continue;
                }
                Set<RequestMethod> methods = mapping.getKey().getMethodsCondition().getMethods();
                assertThat(methods).as("%s maps a method", path).isNotEmpty();
                for (RequestMethod method : methods) {
                    String name = method.name().toLowerCase(Locale.ROOT);
                    JsonNode operation = paths.path(path).path(name);
                    assertThat(operation.isObject()).as("%s %s is described", method, path).isTrue();
                    assertParameters(operation, mapping.getValue(), method + " " + path);
                    assertScopesAndProblems(operation, HttpMethod.valueOf(method.name()), path);
                    checked++;
                }
            }
        }
        assertThat(checked).as("endpoints checked").isGreaterThan(30);
        assertThat(response.body().at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
        assertThat(response.body().at("/components/schemas/Problem/properties/errors/items/properties/field").isObject())
                .isTrue();
    }

    @Test
    void apiDocs_doNotOpenAnythingElse() {
        assertThat(api().get("/v3/api-docs/../api/v1/tasks", null).status()).isIn(400, 401, 404);
        assertThat(api().get("/api/v1/tasks?projectId=00000000-0000-0000-0000-000000000000", null).status())
                .isEqualTo(401);
    }

    private static void assertParameters(JsonNode operation, HandlerMethod handler, String what) {
        List<String> described = new ArrayList<>();
        operation.path("parameters").forEach(p -> described.add(p.get("in").asString() + ":" + p.get("name").asString()));
        for (MethodParameter parameter : handler.getMethodParameters()) {
            PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
            RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
            RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
            if (path != null) {
                assertThat(described).as(what).contains("path:" + name(path.name(), path.value(), parameter));
            } else if (query != null) {
                assertThat(described).as(what).contains("query:" + name(query.name(), query.value(), parameter));
            } else if (header != null) {
                assertThat(described).as(what).contains("header:" + name(header.name(), header.value(), parameter));
            }
        }
    }

    private static void assertScopesAndProblems(JsonNode operation, HttpMethod method, String path) {
        List<String> expected = ScopeRules.find(method, path).map(ScopeRules.Rule::scopes).orElseThrow(
                () -> new AssertionError(method + " " + path + " matches no scope rule: nobody may call it"));
        List<String> published = new ArrayList<>();
        operation.path("security").get(0).path("bearer").forEach(scope -> published.add(scope.asString()));
        assertThat(published).as("%s %s scopes", method, path).isEqualTo(expected);
        for (String status : List.of("400", "401", "403", "500")) {
            assertThat(operation.at("/responses/" + status + "/content/application~1problem+json/schema/$ref").asString())
                    .as("%s %s answers %s as a problem", method, path, status)
                    .isEqualTo("#/components/schemas/Problem");
        }
    }

    private static String name(String name, String value, MethodParameter parameter) {
        String annotated = name.isEmpty() ? value : name;
        return annotated.isEmpty() ? parameter.getParameterName() : annotated;
    }
}

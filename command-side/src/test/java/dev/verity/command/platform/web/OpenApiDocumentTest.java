package dev.verity.command.platform.web;

import dev.verity.command.platform.security.ScopeRules;
import dev.verity.command.support.Http.Response;
import dev.verity.command.support.IntegrationTest;
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

import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v3/api-docs} describes every command the controllers map, with parameters, scopes, headers and problems. */
class OpenApiDocumentTest extends IntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    @Test
    @SuppressWarnings("unchecked")
    void apiDocs_answerWithoutAToken_andListEveryMappedCommandWithItsParameters() {
        Response response = http.send("GET", "/v3/api-docs", null, null, BodyPublishers.noBody());
        assertThat(response.status()).isEqualTo(200);
        Map<String, Object> paths = (Map<String, Object>) response.body().get("paths");
        int checked = 0;
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
            if (!mapping.getValue().getBeanType().getPackageName().startsWith("dev.verity")) {
                continue;
            }
            for (String path : mapping.getKey().getPatternValues()) {
                if ("/error".equals(path)) {
                    continue;
                }
                for (RequestMethod method : mapping.getKey().getMethodsCondition().getMethods()) {
                    Map<String, Object> item = (Map<String, Object>) paths.get(path);
                    assertThat(item).as("%s is described", path).isNotNull();
                    Map<String, Object> operation = (Map<String, Object>) item.get(method.name().toLowerCase(Locale.ROOT));
                    assertThat(operation).as("%s %s is described", method, path).isNotNull();
                    String what = method + " " + path;
                    List<String> parameters = ((List<Map<String, Object>>) operation.getOrDefault("parameters", List.of()))
                            .stream().map(p -> p.get("in") + ":" + p.get("name")).toList();
                    assertThat(parameters).as(what).contains("header:If-Match", "header:Idempotency-Key",
                                                             "header:X-Correlation-Id");
                    assertThat(parameters).as("%s: the command context is no query parameter", what)
                                          .noneMatch(p -> p.startsWith("query:context"));
                    for (MethodParameter parameter : mapping.getValue().getMethodParameters()) {
                        PathVariable variable = parameter.getParameterAnnotation(PathVariable.class);
                        RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
                        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
                        if (variable != null) {
                            assertThat(parameters).as(what)
                                                  .contains("path:" + name(variable.name(), variable.value(), parameter));
                        } else if (query != null) {
                            assertThat(parameters).as(what)
                                                  .contains("query:" + name(query.name(), query.value(), parameter));
                        } else if (header != null) {
                            assertThat(parameters).as(what)
                                                  .contains("header:" + name(header.name(), header.value(), parameter));
                        }
                    }
                    List<String> scopes = ScopeRules.find(HttpMethod.valueOf(method.name()), path)
                            .map(ScopeRules.Rule::scopes)
                            .orElseThrow(() -> new AssertionError(what + " matches no scope rule: nobody may call it"));
                    List<Map<String, Object>> security = (List<Map<String, Object>>) operation.get("security");
                    assertThat(security.get(0).get("bearer")).as(what).isEqualTo(scopes);
                    Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
                    for (String status : List.of("400", "401", "403", "409", "412", "500", "503")) {
                        assertThat(responses).as("%s answers %s", what, status).containsKey(status);
                        assertThat(responses.get(status).toString()).contains("application/problem+json")
                                                                    .contains("#/components/schemas/Problem");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).as("commands checked").isGreaterThan(30);
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) response.body().get("components"))
                .get("schemas");
        assertThat(schemas.get("Problem").toString()).contains("errors", "field", "code");
    }

    @Test
    void apiDocs_openNothingElse() {
        Response command = http.post("/api/v1/tasks", null, Map.of());
        assertThat(command.status()).isEqualTo(401);
        Response write = http.send("POST", "/v3/api-docs", null, "application/json", BodyPublishers.ofString("{}"));
        assertThat(write.status()).isIn(401, 403, 405);
    }

    private static String name(String name, String value, MethodParameter parameter) {
        String annotated = name.isEmpty() ? value : name;
        return annotated.isEmpty() ? parameter.getParameterName() : annotated;
    }
}

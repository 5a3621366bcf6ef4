package dev.verity.query.console;

import dev.verity.query.QuerySideTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's files are open to anyone (they hold no token); the API behind them is not. */
class ConsoleAssetsTest extends QuerySideTest {

    private static final Pattern SCRIPT_TAG = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL);

    @LocalServerPort
    private int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void console_isServedWithoutAToken_underAContentSecurityPolicyWithoutInlineScripts() throws Exception {
        HttpResponse<String> page = get("/console/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValue(ConsoleConfiguration.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        Matcher scripts = SCRIPT_TAG.matcher(page.body());
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).as("every script is a file of this origin").contains("src=\"");
            assertThat(scripts.group(2)).as("no inline script").isBlank();
        }
        assertThat(count).isEqualTo(2);
    }

    @Test
    void consoleWithoutSlash_redirectsToTheConsole() throws Exception {
        HttpResponse<String> response = get("/console");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));
    }

    @Test
    void modulesAndTheChartLibrary_areServedWithoutAToken() throws Exception {
        HttpResponse<String> module = get("/console/js/app.js");
        HttpResponse<String> charts = get("/webjars/echarts/5.3.1/dist/echarts.min.js");

        assertThat(module.statusCode()).isEqualTo(200);
        assertThat(module.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(charts.statusCode()).isEqualTo(200);
        assertThat(charts.body()).contains("echarts");
    }

    @Test
    void unknownConsoleFile_is404() throws Exception {
        assertThat(get("/console/nothing-here.js").statusCode()).isEqualTo(404);
    }

    @Test
    void writesToTheConsole_are405() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/console/"))
                                                             .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                                                  HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void theApiBehindTheConsole_stillNeedsAToken() throws Exception {
        HttpResponse<String> response = get("/api/v1/admin/projections");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"code\":\"unauthorized\"");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

package dev.verity.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where tests find PostgreSQL: {@code TEST_DATABASE_URL} when set (what {@code ./verity test}
 * does on machines without Docker), otherwise one shared pgvector Testcontainer. There is no
 * in-memory fallback: projections and row-level security are only worth testing on PostgreSQL.
 */
public final class TestDatabase {

    public static final String ENVIRONMENT_VARIABLE = "TEST_DATABASE_URL";
    private static volatile Connection connection;

    /** JDBC URL, user and password of the test database. */
    public record Connection(String url, String username, String password) {

        /** Spring properties for a test application context. */
        public Map<String, Object> springProperties() {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("spring.datasource.url", url);
            properties.put("spring.datasource.username", username);
            properties.put("spring.datasource.password", password);
            return properties;
        }
    }

    private TestDatabase() {
    }

    public static Connection connection() {
        if (connection == null) {
            synchronized (TestDatabase.class) {
                if (connection == null) {
                    connection = locate();
                }
            }
        }
        return connection;
    }

    private static Connection locate() {
        String url = System.getenv(ENVIRONMENT_VARIABLE);
        if (url != null && !url.isBlank()) {
            return fromUrl(url.trim());
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer(
                    DockerImageName.parse("pgvector/pgvector:pg16").asCompatibleSubstituteFor("postgres"));
            container.start();
            return new Connection(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        throw new IllegalStateException("No test database: set " + ENVIRONMENT_VARIABLE
                + " (e.g. jdbc:postgresql://127.0.0.1:5432/verity_test?user=verity&password=verity, which"
                + " ./verity test provisions) or run a Docker engine for Testcontainers");
    }

    /** Splits user and password out of the URL's query so Spring and Flyway get them separately. */
    static Connection fromUrl(String url) {
        String query = URI.create(url.substring("jdbc:".length())).getRawQuery();
        String user = null;
        String password = null;
        StringBuilder rest = new StringBuilder();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                String value = kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "";
                switch (kv[0]) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    default -> rest.append(rest.isEmpty() ? "" : "&").append(pair);
                }
            }
        }
        String base = query == null ? url : url.substring(0, url.indexOf('?'));
        String cleanUrl = rest.isEmpty() ? base : base + "?" + rest;
        return new Connection(cleanUrl, user, password);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}

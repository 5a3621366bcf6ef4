package dev.verity.query.platform.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;

/**
 * {@code verity.command.base-url}: where the command API answers, so a write sent to the query
 * API by mistake is told where to go instead of only that it is refused.
 */
@ConfigurationProperties("verity.command")
record CommandApiProperties(URI baseUrl) {

    CommandApiProperties {
        baseUrl = baseUrl == null ? URI.create("http://localhost:8080") : baseUrl;
    }

    String writesGoThere(String method) {
        return "The query API only reads; send " + method + " requests to the command API at " + baseUrl;
    }
}

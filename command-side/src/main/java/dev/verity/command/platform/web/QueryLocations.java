package dev.verity.command.platform.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.net.URI;
import java.util.UUID;

/**
 * Where the query API serves what a command wrote: the {@code Location} of a command answer.
 * Commands and reads are separate services, so the address is absolute.
 */
@Component
public class QueryLocations {

    private final String apiBaseUrl;

    QueryLocations(@Value("${verity.query.base-url}") String queryBaseUrl) {
        this.apiBaseUrl = queryBaseUrl.replaceAll("/+$", "") + "/api/v1/";
    }

    /** @return e.g. {@code <query>/api/v1/tasks/<id>/submissions} for {@code of("tasks", id, "submissions")} */
    public URI of(String collection, UUID id, String... subPath) {
        StringBuilder uri = new StringBuilder(apiBaseUrl).append(collection).append('/').append(id);
        for (String segment : subPath) {
            uri.append('/').append(segment);
        }
        return URI.create(uri.toString());
    }
}

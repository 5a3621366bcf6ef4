package dev.verity.query.stream;

import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.audit.AuditedAggregates;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.security.Reach;
import dev.verity.query.platform.web.ProblemException;
import dev.verity.query.platform.web.RequestValidationException;
import dev.verity.query.stream.Topics.RecordTopic;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads {@code ?topics=} and checks the caller may follow each: {@code projections} needs scope
 * {@code admin} or {@code operator}, as {@code /api/v1/admin/projections} does; a record topic
 * needs {@code read}, as its {@code GET} does. Whether the record exists is not checked here:
 * another tenant's record must look exactly like one that does not exist (yet), and a stream of
 * one that does not exist simply stays quiet until it does.
 */
@Component
class TopicParser {

    static final String FIELD = "topics";
    private static final String PROJECTIONS = "projections";
    private static final String RECORDS = "records:";
    private static final Pattern UUID_SHAPE =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final AuditedAggregates aggregates;
    private final Projections projections;
    private final int maxTopics;

    TopicParser(AuditedAggregates aggregates, Projections projections, StreamProperties properties) {
        this.aggregates = aggregates;
        this.projections = projections;
        this.maxTopics = properties.maxTopics();
    }

    Topics parse(String raw, Jwt jwt) {
        if (raw == null || raw.isBlank()) {
            throw invalid("is required: projections and/or records:<type>/<id>, separated by commas");
        }
        String[] names = raw.split(",", -1);
        if (names.length > maxTopics) {
            throw invalid("names " + names.length + " topics; at most " + maxTopics + " are allowed per stream");
        }
        boolean projectionsTopic = false;
        Map<String, RecordTopic> records = new LinkedHashMap<>();
        for (String name : names) {
            String topic = name.trim();
            if (PROJECTIONS.equals(topic.toLowerCase(Locale.ROOT))) {
                projectionsTopic = true;
            } else if (topic.toLowerCase(Locale.ROOT).startsWith(RECORDS)) {
                RecordTopic record = record(topic, topic.substring(RECORDS.length()));
                records.putIfAbsent(record.key(), record);
            } else {
                throw invalid(topic.isEmpty() ? "holds an empty topic"
                                              : "holds an unknown topic '" + topic
                                                + "': use projections or records:<type>/<id>");
            }
        }
        if (projectionsTopic && !Reach.hasScope(jwt, "admin") && !Reach.hasScope(jwt, Reach.OPERATOR)) {
            throw ProblemException.forbidden("The projections topic needs scope admin or operator");
        }
        if (!records.isEmpty() && !Reach.hasScope(jwt, "read")) {
            throw ProblemException.forbidden("Record topics need scope read");
        }
        return Topics.of(projectionsTopic, new ArrayList<>(records.values()));
    }

    private RecordTopic record(String topic, String typeAndId) {
        int slash = typeAndId.indexOf('/');
        if (slash < 0) {
            throw invalid("holds '" + topic + "', which is not records:<type>/<id>");
        }
        String type = typeAndId.substring(0, slash);
        String id = typeAndId.substring(slash + 1);
        AuditedAggregate aggregate = aggregates.byPathName(type).orElseThrow(
                () -> invalid("holds '" + topic + "': the record type must be one of " + aggregates.pathNames()));
        if (!UUID_SHAPE.matcher(id).matches()) {
            throw invalid("holds '" + topic + "': the record id must be a UUID");
        }
        String table = projections.find(aggregate.projection())
                                  .map(definition -> definition.tables().get(0))
                                  .orElseThrow(() -> new IllegalStateException("No projection " + aggregate.projection()));
        return new RecordTopic(aggregate, typeName(aggregate), table, UUID.fromString(id));
    }

    /** What events call a type: its shortest path name, the singular ({@code task}, {@code kit-execution}). */
    static String typeName(AuditedAggregate aggregate) {
        return aggregate.pathNames().stream().min(Comparator.comparingInt(String::length)).orElseThrow();
    }

    private static RequestValidationException invalid(String message) {
        return new RequestValidationException(FIELD, message);
    }
}

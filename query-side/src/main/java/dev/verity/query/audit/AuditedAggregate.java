package dev.verity.query.audit;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * An aggregate the audit API can show the history and past states of. Each aggregate registers
 * one of these as a Spring bean next to its query code; the audit endpoints need nothing else.
 *
 * @param aggregateType the type Axon stores with its events, e.g. {@code Task}
 * @param pathNames     the names that stand for it in {@code /api/v1/audit/{name}/{id}/...}, lower case,
 *                      e.g. {@code tasks} and {@code task}
 * @param projection    the {@link dev.verity.query.platform.projection.ProjectionDefinition} name whose
 *                      tables hold one record of it, e.g. {@code tasks}
 * @param reader        its normal query code, so a past state has exactly the shape of its normal {@code GET}
 */
public record AuditedAggregate(String aggregateType, List<String> pathNames, String projection, RecordReader reader) {

    public AuditedAggregate {
        pathNames = pathNames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
    }

    /** Reads one record the way its query API does, from the given schema, as the given tenant. */
    @FunctionalInterface
    public interface RecordReader {

        Optional<?> read(String schema, UUID tenantId, UUID id);
    }
}

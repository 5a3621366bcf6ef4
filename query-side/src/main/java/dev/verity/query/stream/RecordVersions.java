package dev.verity.query.stream;

import dev.verity.query.platform.tenancy.TenantReads;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Current versions of followed records, read as their tenant under row-level security: another
 * tenant's record is absent from the answer exactly like one that does not exist.
 */
@Component
class RecordVersions {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final TenantReads reads;

    RecordVersions(TenantReads reads) {
        this.reads = reads;
    }

    /** {@code table} is a projection's root table (its first), never client input. */
    Map<UUID, Long> of(UUID tenantId, String table, Collection<UUID> ids) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("Not a plain SQL identifier: " + table);
        }
        return reads.read(tenantId, jdbc -> {
            Map<UUID, Long> versions = new HashMap<>();
            jdbc.query("SELECT id, version FROM read_model." + table + " WHERE id IN (:ids)",
                       new MapSqlParameterSource("ids", ids),
                       rs -> {
                           versions.put(rs.getObject("id", UUID.class), rs.getLong("version"));
                       });
            return versions;
        });
    }
}

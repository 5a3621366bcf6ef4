package dev.verity.command.task;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Component
class JdbcTaskLookup implements TaskLookup {

    private static final RowMapper<Entry> ENTRY = (rs, row) -> new Entry(
            rs.getObject("task_id", UUID.class), rs.getObject("tenant_id", UUID.class),
            "completed".equals(rs.getString("status")));

    private final JdbcTemplate jdbc;

    JdbcTaskLookup(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Entry> find(UUID tenantId, UUID taskId) {
        return jdbc.query("SELECT task_id, tenant_id, status FROM command_model.task_lookup"
                                  + " WHERE task_id = ? AND tenant_id = ?", ENTRY, taskId, tenantId)
                   .stream().findFirst();
    }

    @Override
    public List<Entry> dependentsOf(UUID taskId) {
        return jdbc.query("SELECT l.task_id, l.tenant_id, l.status FROM command_model.task_dependency d"
                                  + " JOIN command_model.task_lookup l ON l.task_id = d.task_id"
                                  + " WHERE d.depends_on_id = ? ORDER BY l.task_id", ENTRY, taskId);
    }

    void recordCreated(UUID taskId, UUID tenantId, String status, List<UUID> dependencies) {
        jdbc.update("INSERT INTO command_model.task_lookup (task_id, tenant_id, status) VALUES (?, ?, ?)"
                            + " ON CONFLICT (task_id) DO NOTHING", taskId, tenantId, status);
        jdbc.batchUpdate("INSERT INTO command_model.task_dependency (task_id, depends_on_id, tenant_id) VALUES (?, ?, ?)"
                                 + " ON CONFLICT DO NOTHING",
                         dependencies.stream().map(d -> new Object[]{taskId, d, tenantId}).toList());
    }

    void recordStatus(UUID taskId, String status) {
        jdbc.update("UPDATE command_model.task_lookup SET status = ? WHERE task_id = ?", status, taskId);
    }
}

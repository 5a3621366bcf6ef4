package dev.verity.query.platform.tenancy;

import org.springframework.jdbc.core.RowMapper;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Selects that {@link TenantReads#readTogether} sends to PostgreSQL in one round trip. Each
 * {@link #add} returns the handle its rows arrive in once the batch has run. SQL uses positional
 * {@code ?} parameters and comes from code, never from a client; only the values are bound.
 */
public final class SelectBatch {

    /** One select's rows, filled when the batch runs. */
    public static final class Rows<T> {

        private final String sql;
        private final RowMapper<T> mapper;
        private final Object[] parameters;
        private List<T> list;

        private Rows(String sql, RowMapper<T> mapper, Object[] parameters) {
            this.sql = sql;
            this.mapper = mapper;
            this.parameters = parameters;
        }

        /** The rows, in the select's order. */
        public List<T> list() {
            if (list == null) {
                throw new IllegalStateException("The batch has not run yet");
            }
            return list;
        }

        void read(ResultSet resultSet) throws SQLException {
            List<T> read = new ArrayList<>();
            for (int row = 0; resultSet.next(); row++) {
                read.add(mapper.mapRow(resultSet, row));
            }
            list = read;
        }
    }

    private final List<Rows<?>> rows = new ArrayList<>();

    public <T> Rows<T> add(String sql, RowMapper<T> mapper, Object... parameters) {
        Rows<T> added = new Rows<>(sql, mapper, parameters.clone());
        rows.add(added);
        return added;
    }

    List<Rows<?>> rows() {
        return rows;
    }

    String sql() {
        return rows.stream().map(select -> select.sql).collect(Collectors.joining(";\n"));
    }

    void bind(PreparedStatement statement, int first) throws SQLException {
        int index = first;
        for (Rows<?> select : rows) {
            for (Object parameter : select.parameters) {
                statement.setObject(index++, parameter);
            }
        }
    }
}

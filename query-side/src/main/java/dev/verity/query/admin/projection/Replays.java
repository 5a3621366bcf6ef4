package dev.verity.query.admin.projection;

import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ProjectionReplayer;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Makes {@link StoreReplay}s: a new instance of a projection, writing another schema, fed from the event store. */
@Component
class Replays {

    private final EventStorageEngine storage;
    private final EventPositions positions;
    private final TransactionTemplate transactions;
    private final NamedParameterJdbcTemplate jdbc;
    private final TenantWrites tenantWrites;
    private final int batchSize;

    Replays(EventStorageEngine storage, EventPositions positions, PlatformTransactionManager transactionManager,
            NamedParameterJdbcTemplate jdbc, TenantWrites tenantWrites, ProjectionOperationsProperties properties) {
        this.tenantWrites = tenantWrites;
        this.storage = storage;
        this.positions = positions;
        this.transactions = new TransactionTemplate(transactionManager);
        this.jdbc = jdbc;
        this.batchSize = properties.replayBatchSize();
    }

    StoreReplay into(ProjectionDefinition projection, String schema, BooleanSupplier cancelled,
                     Consumer<StoreReplay> afterBatch) {
        ProjectionReplayer replayer = ProjectionReplayer.deferred(projection, jdbc, schema, tenantWrites);
        return new StoreReplay(storage, positions, transactions, batchSize, replayer, cancelled, afterBatch);
    }
}

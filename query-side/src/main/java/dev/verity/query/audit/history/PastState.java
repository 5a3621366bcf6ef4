package dev.verity.query.audit.history;

import dev.verity.events.common.MetadataKeys;
import dev.verity.query.audit.AuditedAggregate;
import dev.verity.query.platform.projection.ProjectionDefinition;
import dev.verity.query.platform.projection.ProjectionReplayer;
import dev.verity.query.platform.projection.Projections;
import dev.verity.query.platform.projection.ReadModelWriter;
import dev.verity.query.platform.tenancy.TenantWrites;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A record as its query API would have returned it at some past moment. There is no second copy
 * of any projection logic: the record's events up to that moment are read from the event store,
 * run through a fresh instance of the very projection that keeps the live tables (through the
 * same handler resolution Axon uses), into {@link ScratchTables}, and read back with the
 * aggregate's own query code. That code joins the scratch transaction (its tenant read does not
 * open a new one), which is how it sees the scratch tables at all; the role and tenant it sets
 * there end with the rollback.
 */
@Component
public class PastState {

    private final EventStore eventStore;
    private final Projections projections;
    private final ScratchTables scratchTables;
    private final NamedParameterJdbcTemplate jdbc;
    private final TenantWrites tenantWrites;

    PastState(EventStore eventStore, Projections projections, ScratchTables scratchTables,
              NamedParameterJdbcTemplate jdbc, TenantWrites tenantWrites) {
        this.tenantWrites = tenantWrites;
        this.eventStore = eventStore;
        this.projections = projections;
        this.scratchTables = scratchTables;
        this.jdbc = jdbc;
    }

    /** What a past read would have answered; empty when the record did not exist yet. */
    public Optional<?> at(AuditedAggregate aggregate, List<DomainEventMessage<?>> events, UUID tenantId, UUID id,
                   Moment moment) {
        Optional<List<DomainEventMessage<?>>> happened = moment.cut(events);
        if (happened.isEmpty()) {
            return Optional.empty();
        }
        ProjectionDefinition projection = projections.find(aggregate.projection()).orElseThrow(
                () -> new IllegalStateException("No projection named " + aggregate.projection()));
        return scratchTables.use(projection.tables(), () -> {
            ProjectionReplayer replayer = new ProjectionReplayer(
                    projection.newInstance(new ReadModelWriter(jdbc, ScratchTables.SCHEMA)), tenantWrites);
            replayer.apply(happened.get());
            return aggregate.reader().read(ScratchTables.SCHEMA, tenantId, id);
        });
    }

    /**
     * Every event of the record, upcast and deserialized as the projections receive them; empty
     * when there is no such record of this aggregate type for this tenant. Read from the first
     * sequence number on purpose: the one-argument read would start from a snapshot.
     */
    public Optional<List<DomainEventMessage<?>>> events(AuditedAggregate aggregate, UUID tenantId, UUID id) {
        DomainEventStream stream = eventStore.readEvents(id.toString(), 0);
        List<DomainEventMessage<?>> events = new ArrayList<>();
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            Object tenant = event.getMetaData().get(MetadataKeys.TENANT_ID);
            if (!aggregate.aggregateType().equals(event.getType()) || tenant == null
                || !tenantId.toString().equals(tenant.toString())) {
                return Optional.empty();
            }
            events.add(event);
        }
        return events.isEmpty() ? Optional.empty() : Optional.of(events);
    }
}

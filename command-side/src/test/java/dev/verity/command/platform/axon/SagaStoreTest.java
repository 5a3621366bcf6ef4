package dev.verity.command.platform.axon;

import dev.verity.command.support.IntegrationTest;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValuesImpl;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.modelling.saga.repository.jdbc.JdbcSagaStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The saga store is mapped onto the Flyway tables (V8), ready for the first saga. */
class SagaStoreTest extends IntegrationTest {

    @Autowired
    private SagaStore<Object> sagaStore;

    @Autowired
    private TransactionTemplate transactions;

    public static class ReminderSaga {
        public String taskId;
    }

    @Test
    void sagaStore_isJdbc_andRoundTripsASagaByAssociation() {
        assertThat(sagaStore).isInstanceOf(JdbcSagaStore.class);
        String sagaId = UUID.randomUUID().toString();
        String taskId = UUID.randomUUID().toString();
        ReminderSaga saga = new ReminderSaga();
        saga.taskId = taskId;
        AssociationValuesImpl associations = new AssociationValuesImpl(Set.of(new AssociationValue("taskId", taskId)));

        transactions.executeWithoutResult(status -> sagaStore.insertSaga(ReminderSaga.class, sagaId, saga, associations.asSet()));

        assertThat(sagaStore.findSagas(ReminderSaga.class, new AssociationValue("taskId", taskId))).containsExactly(sagaId);
        ReminderSaga loaded = (ReminderSaga) sagaStore.loadSaga(ReminderSaga.class, sagaId).saga();
        assertThat(loaded.taskId).isEqualTo(taskId);

        transactions.executeWithoutResult(status -> sagaStore.deleteSaga(ReminderSaga.class, sagaId, associations.asSet()));
        assertThat(sagaStore.findSagas(ReminderSaga.class, new AssociationValue("taskId", taskId))).isEmpty();
    }
}

package dev.verity.command.platform.deadline;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.Task;
import dev.verity.command.platform.axon.CommandMetadata;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.deadline.dbscheduler.DbSchedulerBinaryDeadlineDetails;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Persistent deadlines without Axon Server: Axon's {@link DbSchedulerDeadlineManager} on
 * db-scheduler, whose table Flyway owns (V17). A deadline is a row, written in the transaction of
 * the command that scheduled it (the scheduler's DataSource joins Spring's transaction), so it
 * exists exactly when the command's events do; it survives restarts, and a deadline that fell due
 * while every command node was down fires on the first poll after one comes back.
 * <p>
 * Wired by hand rather than through db-scheduler's Spring Boot starter (built for Spring Boot 3):
 * Axon's auto-configuration steps back once a {@link Scheduler} and a deadline manager exist.
 * The scheduler starts after the Axon configuration (aggregates must be there to handle what is
 * due) and stops before it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DeadlineProperties.class)
class DeadlineConfiguration {

    @Bean
    @Qualifier("deadlineDetailsTask")
    Task<DbSchedulerBinaryDeadlineDetails> deadlineDetailsTask(ApplicationContext context) {
        return DbSchedulerDeadlineManager.binaryTask(() -> context.getBean(DbSchedulerDeadlineManager.class));
    }

    @Bean(destroyMethod = "")
    Scheduler deadlineScheduler(DataSource dataSource, List<Task<?>> tasks, DeadlineProperties properties) {
        return Scheduler.create(new TransactionAwareDataSourceProxy(dataSource), tasks)
                        .tableName(properties.table())
                        .pollingInterval(properties.pollingInterval())
                        .threads(properties.threads())
                        .shutdownMaxWait(properties.shutdownMaxWait())
                        .build();
    }

    /** Deadline handling gets the same tenant, actor and correlation metadata on its events as a command's. */
    @Bean
    DbSchedulerDeadlineManager deadlineManager(Scheduler scheduler, org.axonframework.config.Configuration axon,
                                               @Qualifier("eventSerializer") Serializer serializer,
                                               TransactionManager transactionManager, CommandMetadata metadata) {
        DbSchedulerDeadlineManager manager = DbSchedulerDeadlineManager.builder()
                .scheduler(scheduler)
                .scopeAwareProvider(new ConfigurationScopeAwareProvider(axon))
                .serializer(serializer)
                .transactionManager(transactionManager)
                .startScheduler(false)
                .stopScheduler(false)
                .build();
        manager.registerHandlerInterceptor((unitOfWork, chain) -> {
            unitOfWork.registerCorrelationDataProvider(metadata);
            return chain.proceed();
        });
        return manager;
    }

    @Bean
    SmartLifecycle deadlineSchedulerLifecycle(Scheduler scheduler) {
        return new SmartLifecycle() {
            private final AtomicBoolean running = new AtomicBoolean();

            @Override
            public void start() {
                if (running.compareAndSet(false, true)) {
                    scheduler.start();
                }
            }

            @Override
            public void stop() {
                if (running.compareAndSet(true, false)) {
                    scheduler.stop();
                }
            }

            @Override
            public boolean isRunning() {
                return running.get();
            }

            @Override
            public int getPhase() {
                return Integer.MAX_VALUE - 1000;
            }
        };
    }
}

package dev.verity.query.audit.ledger;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Runs the chainer every {@code verity.ledger.interval} after the previous run ends (a fixed
 * delay, so a long catch-up never overlaps itself). Registered here rather than with
 * {@code @Scheduled} so the interval has one default, in {@link LedgerProperties}.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class LedgerConfiguration implements SchedulingConfigurer {

    private final LedgerChainer chainer;
    private final LedgerProperties properties;

    LedgerConfiguration(LedgerChainer chainer, LedgerProperties properties) {
        this.chainer = chainer;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(chainer::chain, properties.interval());
    }
}

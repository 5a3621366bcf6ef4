package dev.verity.query.platform.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The waiting itself, without HTTP: no thread is held, the bound holds, and a wait ends either way. */
class ReadYourWritesTest {

    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID ID = UUID.randomUUID();

    private final ReadYourWrites readYourWrites =
            new ReadYourWrites(new QueryProperties(Duration.ofMillis(400), Duration.ofMillis(5), 2));
    private final AtomicLong version = new AtomicLong(0);

    @AfterEach
    void stop() {
        readYourWrites.destroy();
    }

    @Test
    void read_returnsACompletedFuture_withoutMinVersionOrWhenItIsReached() {
        assertThat(readYourWrites.read(null, this::versions, TENANT, ID, this::current, v -> v))
                .isCompletedWithValue(Optional.of(0L));
        assertThat(readYourWrites.read(0L, this::versions, TENANT, ID, this::current, v -> v))
                .isCompletedWithValue(Optional.of(0L));
        assertThat(readYourWrites.waiting()).isZero();
    }

    @Test
    void read_completesOnceTheVersionLands_withoutTheCallerWaiting() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Optional<Long>> pending = readYourWrites.read(3L, this::versions, TENANT, ID, this::current, v -> v);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("read returns at once").isLessThan(100);
        assertThat(pending).isNotDone();

        version.set(3);

        assertThat(pending.get(2, TimeUnit.SECONDS)).contains(3L);
        await().atMost(Duration.ofSeconds(2)).until(() -> readYourWrites.waiting() == 0);
    }

    @Test
    void read_failsWithStaleReadModel_whenTheTimeIsUp() {
        CompletableFuture<Optional<Long>> pending = readYourWrites.read(3L, this::versions, TENANT, ID, this::current, v -> v);

        assertThatThrownBy(() -> pending.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
                    assertThat(e.code()).isEqualTo("stale_read_model");
                });
    }

    @Test
    void read_refusesWithTooManyWaiters_beyondTheBound_andAcceptsAgainOnceAWaitEnds() throws Exception {
        CompletableFuture<Optional<Long>> first = readYourWrites.read(3L, this::versions, TENANT, ID, this::current, v -> v);
        readYourWrites.read(9L, this::versions, TENANT, ID, this::current, v -> v);

        assertThatThrownBy(() -> readYourWrites.read(9L, this::versions, TENANT, ID, this::current, v -> v))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.code()).isEqualTo("too_many_waiters");
                });

        version.set(3);
        first.get(2, TimeUnit.SECONDS);
        assertThat(readYourWrites.read(9L, this::versions, TENANT, ID, this::current, v -> v)).isNotDone();
    }

    @Test
    void read_failsOnlyItsOwnWait_whenARereadThrows() throws Exception {
        CompletableFuture<Optional<Long>> broken = readYourWrites.read(1L, this::versions, TENANT, ID, () -> {
            if (version.get() > 0) {
                throw new IllegalStateException("database gone");
            }
            return Optional.of(0L);
        }, v -> v);
        CompletableFuture<Optional<Long>> healthy = readYourWrites.read(2L, this::versions, TENANT, ID, this::current, v -> v);

        version.set(1);
        assertThatThrownBy(() -> broken.get(2, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        version.set(2);

        assertThat(healthy.get(2, TimeUnit.SECONDS)).contains(2L);
    }

    private Map<UUID, Long> versions(UUID tenantId, Collection<UUID> ids) {
        assertThat(tenantId).isEqualTo(TENANT);
        assertThat(ids).containsExactly(ID);
        return Map.of(ID, version.get());
    }

    private Optional<Long> current() {
        return Optional.of(version.get());
    }
}

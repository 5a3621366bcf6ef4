package dev.verity.query.e2e;

import dev.verity.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's CPU accounting reads real work where it happened: this JVM, and PostgreSQL's backends. */
class CpuMeterTest {

    private static final Map<String, Long> THIS_JVM = Map.of("test JVM", ProcessHandle.current().pid());

    @Test
    void countsThisProcessesCpuAsItsOwn() throws Exception {
        CpuMeter meter = CpuMeter.forTestDatabase();
        CpuMeter.Span span = meter.start(THIS_JVM);
        burn(400);
        CpuMeter.Usage usage = span.stop();

        assertThat(usage.millis().get("test JVM")).isGreaterThanOrEqualTo(300.0);
        assertThat(usage.machineBusy()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        assertThat(usage.perUnit(4).get("test JVM")).isEqualTo(usage.millis().get("test JVM") / 4);
    }

    @Test
    void countsAQuerysCpuAsPostgresqls() throws Exception {
        CpuMeter meter = CpuMeter.forTestDatabase();
        TestDatabase.Connection database = TestDatabase.connection();
        CpuMeter.Span span;
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(),
                                                                 database.password());
             Statement statement = connection.createStatement()) {
            span = meter.start(THIS_JVM);
            statement.execute("SELECT count(*) FROM generate_series(1, 5000000) AS n WHERE n % 7 = 3");
        }
        // The backend has ended by now: its time must still count, through the postmaster's reaped children.
        Thread.sleep(200);
        CpuMeter.Usage usage = span.stop();

        assertThat(usage.millis().get(CpuMeter.POSTGRES)).isGreaterThanOrEqualTo(200.0);
    }

    private static void burn(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        long sink = 0;
        while (System.nanoTime() < until) {
            sink += Long.numberOfTrailingZeros(sink ^ System.nanoTime());
        }
        assertThat(sink).isNotNegative();
    }
}

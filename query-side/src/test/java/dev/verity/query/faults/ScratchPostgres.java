package dev.verity.query.faults;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the suite's own ({@code scripts/scratch-postgres.sh}): initdb in a
 * temporary folder, a free loopback port, role and database {@code verity}. It can be crashed and
 * brought back without touching the shared server the other tests use, and it is stopped and
 * deleted on {@link #close()} or, should the test JVM end first, by a shutdown hook.
 */
public final class ScratchPostgres implements AutoCloseable {

    private static final Path SCRIPT = Path.of("..", "scripts", "scratch-postgres.sh");

    private final Path directory;
    private final int port;
    private final Thread shutdownHook;
    private boolean closed;
    private volatile boolean running;

    private ScratchPostgres(Path directory, int port) {
        this.directory = directory;
        this.port = port;
        this.shutdownHook = new Thread(this::stopQuietly, "scratch-postgres-stop");
    }

    public static ScratchPostgres start() throws Exception {
        ScratchPostgres server = new ScratchPostgres(Files.createTempDirectory("verity-faults-pg-"), freePort());
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.run("start", String.valueOf(server.port), server.directory.toString());
            server.running = true;
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/verity";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "verity", "verity");
    }

    /** {@code pg_ctl stop -m immediate}: every backend dies mid-transaction, as in a crash. */
    void crash() throws Exception {
        running = false;
        run("crash", directory.toString());
    }

    void resume() throws Exception {
        run("resume", directory.toString());
        running = true;
    }

    /** Brings the server back if a crash was not followed by {@link #resume()} (a test failed in between). */
    void ensureRunning() throws Exception {
        if (!running) {
            resume();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to; it stops an already stopped server harmlessly
        }
    }

    private void stopQuietly() {
        try {
            run("stop", directory.toString());
        } catch (Exception e) {
            System.err.println("scratch PostgreSQL in " + directory + " may still run: " + e.getMessage());
        }
    }

    private void run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("scratch-postgres.sh " + String.join(" ", arguments) + " timed out");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("scratch-postgres.sh " + String.join(" ", arguments) + " failed ("
                                            + process.exitValue() + "): " + output
                                            + "; server log: " + directory.resolve("postgres.log"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

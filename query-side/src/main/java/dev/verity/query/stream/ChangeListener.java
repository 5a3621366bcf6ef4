package dev.verity.query.stream;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

/**
 * This node's one LISTEN connection, opened with the driver itself rather than from the pool (a
 * pooled connection would be taken for good, and the pool may reset it). One thread waits for
 * notices and hands each to {@link StreamHub}, which only queues: this thread never waits on a
 * client. When the connection fails (PostgreSQL restarted), it reconnects with a growing pause,
 * up to {@code verity.stream.listener-retry-max}, and has the hub read followed records again,
 * since whatever was announced meanwhile was not heard.
 */
@Component
class ChangeListener implements SmartLifecycle {

    static final String APPLICATION_NAME = "verity-stream-listener";
    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int WAIT_MILLIS = 500;
    /** An idle connection is checked this often, so a silently dead one is noticed. */
    private static final Duration LIVENESS = Duration.ofSeconds(10);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final JdbcConnectionDetails dataSource;
    private final StreamHub hub;
    private final JsonMapper json;
    private final Duration retryMax;
    private volatile boolean running;
    private Thread thread;

    ChangeListener(JdbcConnectionDetails dataSource, StreamHub hub, JsonMapper json, StreamProperties properties) {
        this.dataSource = dataSource;
        this.hub = hub;
        this.json = json;
        this.retryMax = properties.listenerRetryMax();
    }

    private void run() {
        Duration retry = FIRST_RETRY;
        boolean first = true;
        while (running) {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + ChangeNotices.RECORDS);
                statement.execute("LISTEN " + ChangeNotices.PROJECTIONS);
                if (!first) {
                    LOG.info("Live stream listener reconnected to PostgreSQL");
                }
                hub.noticesMissed();
                first = false;
                retry = FIRST_RETRY;
                listen(connection.unwrap(PGConnection.class), statement);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("Live stream listener lost PostgreSQL ({}); reconnecting in {} ms", e.getMessage(),
                         retry.toMillis());
                if (!pause(retry)) {
                    return;
                }
                retry = retry.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : retry.multipliedBy(2);
            }
        }
    }

    private void listen(PGConnection connection, Statement statement) throws SQLException {
        long lastCheck = System.nanoTime();
        while (running) {
            PGNotification[] notices = connection.getNotifications(WAIT_MILLIS);
            if (notices != null) {
                for (PGNotification notice : notices) {
                    dispatch(notice.getName(), notice.getParameter());
                }
            }
            if (System.nanoTime() - lastCheck > LIVENESS.toNanos()) {
                statement.execute("SELECT 1");
                lastCheck = System.nanoTime();
            }
        }
    }

    private void dispatch(String channel, String payload) {
        try {
            JsonNode notice = json.readTree(payload);
            if (ChangeNotices.RECORDS.equals(channel)) {
                hub.recordChanged(UUID.fromString(notice.get("tenant").asString()), notice.get("table").asString(),
                                  UUID.fromString(notice.get("id").asString()), notice.get("version").asLong());
            } else if (notice.has("swapped") && notice.has("projection")) {
                hub.projectionSwapped(notice.get("projection").asString());
            } else {
                hub.projectionMoved();
            }
        } catch (RuntimeException e) {
            LOG.warn("Ignoring a notice on {} that is not what V19 sends: {}", channel, payload, e);
        }
    }

    private Connection connect() throws SQLException {
        Properties info = new Properties();
        if (dataSource.getUsername() != null) {
            info.setProperty("user", dataSource.getUsername());
        }
        if (dataSource.getPassword() != null) {
            info.setProperty("password", dataSource.getPassword());
        }
        info.setProperty("ApplicationName", APPLICATION_NAME);
        info.setProperty("connectTimeout", "5");
        Connection connection = DriverManager.getConnection(dataSource.getJdbcUrl(), info);
        connection.setAutoCommit(true);
        return connection;
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::run, "stream-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}

package dev.verity.query.stream;

import dev.verity.events.task.AssigneeType;
import dev.verity.events.task.TaskEvent.TaskAssigned;
import dev.verity.query.ApiClient.Response;
import dev.verity.query.ProbeProjection;
import dev.verity.query.QuerySideTest;
import dev.verity.query.TaskEvents;
import dev.verity.query.TestTokens;
import dev.verity.query.stream.SseClient.Event;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /api/v1/stream} over real HTTP, fed by NOTIFY from the real projections' transactions. */
class StreamTest extends QuerySideTest {

    private static final Duration SOON = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(1500);

    private final UUID tenant = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();

    @LocalServerPort
    private int port;

    @Autowired
    private JsonMapper json;

    @Autowired
    private StreamHub hub;

    @Test
    void stream_sendsCurrentVersionThenEachNewOne_whenTheTaskProjectionAppliesThem() throws Exception {
        UUID task = createTask(tenant);
        try (SseClient stream = open("?topics=records:task/" + task, read(tenant))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            assertRecord(stream.next(SOON), "task", task, 0);

            eventStreams.append(tenant, assigned(task, "agent-8"));
            Event second = stream.next(SOON);
            assertRecord(second, "task", task, 1);
            assertThat(second.id()).endsWith("-1");

            eventStreams.append(tenant, assigned(task, "agent-9"), assigned(task, "agent-10"));
            assertRecord(stream.await(e -> version(e) == 2, SOON), "task", task, 2);
            assertRecord(stream.next(SOON), "task", task, 3);
        }
    }

    @Test
    void stream_takesPluralTypeNamesAndFollowsRecordsNotCreatedYet() throws Exception {
        UUID task = UUID.randomUUID();
        try (SseClient stream = open("?topics=records:tasks/" + task, read(tenant))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.next(QUIET)).isNull();

            eventStreams.append(tenant, TaskEvents.created(task, tenant, project));

            assertRecord(stream.next(SOON), "task", task, 0);
        }
    }

    @Test
    void stream_neverSendsAnotherTenantsRecord_whichLooksExactlyLikeAMissingOne() throws Exception {
        UUID task = createTask(tenant);
        UUID other = UUID.randomUUID();
        try (SseClient owner = open("?topics=records:task/" + task, read(tenant));
             SseClient intruder = open("?topics=records:task/" + task, read(other));
             SseClient missing = open("?topics=records:task/" + UUID.randomUUID(), read(other))) {
            assertThat(owner.status()).as(owner.body()).isEqualTo(200);
            assertThat(intruder.status()).as(intruder.body()).isEqualTo(200);
            assertThat(missing.status()).as(missing.body()).isEqualTo(200);
            assertRecord(owner.next(SOON), "task", task, 0);

            eventStreams.append(tenant, assigned(task, "agent-8"));

            assertRecord(owner.next(SOON), "task", task, 1);
            assertThat(intruder.next(QUIET)).isNull();
            assertThat(missing.next(Duration.ZERO)).isNull();
        }
    }

    @Test
    void stream_resumesFromLastEventId_sendingOnlyWhatIsNewer() throws Exception {
        UUID task = createTask(tenant);
        String query = "?topics=records:task/" + task + ",records:task/" + UUID.randomUUID();
        String lastId;
        try (SseClient stream = open(query, read(tenant))) {
            lastId = stream.next(SOON).id();
        }
        assertThat(lastId).endsWith("-0,_");

        try (SseClient resumed = open(query, read(tenant), "Last-Event-ID", lastId)) {
            assertThat(resumed.next(QUIET)).as("nothing newer than the id says").isNull();
        }

        eventStreams.append(tenant, assigned(task, "agent-8"), assigned(task, "agent-9"));
        awaitTaskVersion(task, 2);
        try (SseClient resumed = open(query, read(tenant), "Last-Event-ID", lastId)) {
            Event event = resumed.next(SOON);
            assertRecord(event, "task", task, 2);
            assertThat(event.id()).endsWith("-2,_");
        }

        // Another stream's id (other topics) or a forged one is ignored: the stream starts over.
        for (String foreign : List.of("00000000-5", "garbage", lastId.replace("-0,_", "-0"))) {
            try (SseClient fresh = open(query, read(tenant), "Last-Event-ID", foreign)) {
                assertRecord(fresh.next(SOON), "task", task, 2);
            }
        }
    }

    @Test
    void stream_sendsEveryProjectionsStatusOnConnect_asTheAdminApiListsIt() throws Exception {
        Response listed = api().get("/api/v1/admin/projections", token(tenant, "admin"));
        Set<String> names = StreamSupport.stream(listed.body().get("items").spliterator(), false)
                                         .map(item -> item.get("name").asString()).collect(Collectors.toSet());
        try (SseClient stream = open("?topics=projections", token(tenant, "admin"))) {
            List<JsonNode> received = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Event event = stream.next(SOON);
                assertThat(event.name()).isEqualTo("projection");
                received.add(json.readTree(event.data()));
            }
            assertThat(received).extracting(node -> node.get("name").asString()).containsExactlyInAnyOrderElementsOf(names);
            JsonNode item = listed.body().get("items").get(0);
            JsonNode same = received.stream().filter(n -> n.get("name").equals(item.get("name"))).findFirst().orElseThrow();
            assertThat(fieldNames(same)).isEqualTo(fieldNames(item));
            assertThat(same.get("deadLetters")).isEqualTo(item.get("deadLetters"));
        }
    }

    /** Dead letters count as the admin API counts them: an admin its own tenant's, an operator every tenant's. */
    @Test
    void stream_sendsADeadLetterToItsTenantsAdminAndOperators_notToOtherTenants() throws Exception {
        UUID broken = UUID.randomUUID();
        UUID otherTenant = UUID.randomUUID();
        try (SseClient admin = open("?topics=projections", token(tenant, "admin"));
             SseClient otherAdmin = open("?topics=projections", token(otherTenant, "admin"));
             SseClient operator = open("?topics=projections", token(otherTenant, "operator"))) {
            long parkedBefore = deadLetters(operator.await(e -> ProbeProjection.NAME.equals(name(e)), SOON));
            assertThat(deadLetters(admin.await(e -> ProbeProjection.NAME.equals(name(e)), SOON))).isZero();
            assertThat(deadLetters(otherAdmin.await(e -> ProbeProjection.NAME.equals(name(e)), SOON))).isZero();
            ProbeProjection.failOn(broken);

            eventStreams.append(tenant, TaskEvents.created(broken, tenant, project));

            Event parked = admin.await(e -> ProbeProjection.NAME.equals(name(e)) && deadLetters(e) == 1, SOON);
            assertThat(field(parked).get("state").asString()).isEqualTo("failing");
            operator.await(e -> ProbeProjection.NAME.equals(name(e)) && deadLetters(e) == parkedBefore + 1, SOON);
            Event other;
            while ((other = otherAdmin.next(QUIET)) != null) {
                if (ProbeProjection.NAME.equals(name(other))) {
                    assertThat(deadLetters(other)).as("another tenant's letter").isZero();
                }
            }
        } finally {
            ProbeProjection.reset();
            owner.update("DELETE FROM event_store.dead_letter_entry WHERE sequence_identifier = ?", broken.toString());
        }
    }

    @Test
    void stream_reportsARebuildAsItRunsAndEnds() throws Exception {
        try (SseClient stream = open("?topics=projections", token(tenant, "operator"))) {
            stream.await(e -> "budgets".equals(name(e)), SOON);

            Response accepted = api().post("/api/v1/admin/projections/budgets/rebuild", token(tenant, "operator"));
            assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);

            Event done = stream.await(e -> "budgets".equals(name(e))
                                           && "done".equals(field(e).path("rebuild").path("state").asString()),
                                      Duration.ofSeconds(120));
            assertThat(field(done).get("state").asString()).isIn("running", "failing");
        }
        // The swapped-in table is a copy made with LIKE, which copies no trigger: the swap put it back.
        assertThat(owner.queryForObject("SELECT count(*) FROM pg_trigger WHERE tgname = 'notify_version'"
                                        + " AND tgrelid = 'read_model.budget_limits'::regclass", Integer.class))
                .isEqualTo(1);
    }

    /**
     * A burst of notices far beyond what a socket buffers, as V19's trigger sends them; the
     * projection path itself applies a few hundred events a second here, too few to fill buffers.
     */
    @Test
    void stream_dropsAClientThatDoesNotRead_whileOthersKeepUp() throws Exception {
        UUID task = createTask(tenant);
        String token = read(tenant);
        int versions = 100_000;
        int perTransaction = 100;
        long last;
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(1024);
            slow.connect(new InetSocketAddress("localhost", port));
            OutputStream request = slow.getOutputStream();
            request.write(("GET /api/v1/stream?topics=records:task/" + task + " HTTP/1.1\r\nHost: localhost\r\n"
                           + "Accept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                                  .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            try (SseClient reader = open("?topics=records:task/" + task, token)) {
                assertRecord(reader.next(SOON), "task", task, 0);
                await().atMost(SOON).until(() -> hub.openStreams(tenant) == 2);
                int streamsWithSlow = 2;

                // Batches of 100 like a projection's, each announced once the reader has the last: the reader
                // keeps up by reading, the slow client falls behind until its buffer overflows.
                long seen = 0;
                long started = System.nanoTime();
                for (int from = 1; from <= versions && hub.openStreams(tenant) == streamsWithSlow; from += perTransaction) {
                    owner.queryForList("SELECT pg_notify('verity_records', json_build_object('tenant', ?::uuid,"
                                       + " 'table', 'tasks', 'id', ?::uuid, 'version', v)::text)"
                                       + " FROM generate_series(?, ?) v", tenant, task, from, from + perTransaction - 1);
                    long target = from + perTransaction - 1;
                    while (seen < target) {
                        Event event = reader.next(SOON);
                        assertThat(event).as("reader got %s of %s", seen, target).isNotNull();
                        assertThat(version(event)).as("in order, none left out").isEqualTo(seen + 1);
                        seen = version(event);
                    }
                }
                last = seen;
                System.out.printf("stream: the slow client was dropped after %d versions; the reader had all of them,"
                                  + " %d ms for announcing and receiving them%n", last,
                                  Duration.ofNanos(System.nanoTime() - started).toMillis());
                assertThat(hub.openStreams(tenant)).as("the slow client was dropped").isEqualTo(streamsWithSlow - 1);
                assertThat(reader.ended()).isFalse();
            }

            // Reading at last, with a window a normal client has: through the 1 KB one, delayed ACKs
            // let the bytes Tomcat had buffered trickle in for over a minute on a busy machine.
            slow.setReceiveBufferSize(1 << 20);
            String received = drain(slow);
            System.out.printf("stream: the slow client, reading at last, got %d bytes%n", received.length());
            assertThat(received).startsWith("HTTP/1.1 200");
            assertThat(received).as("dropped before the last version").doesNotContain("\"version\":" + last + "}");
        }
    }

    @Test
    void stream_carriesOnAfterItsListenConnectionIsKilled() throws Exception {
        UUID task = createTask(tenant);
        try (SseClient stream = open("?topics=records:task/" + task, read(tenant))) {
            assertRecord(stream.next(SOON), "task", task, 0);
            Integer killed = owner.queryForObject("SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity"
                                                  + " WHERE application_name = ? AND datname = current_database()",
                                                  Integer.class, ChangeListener.APPLICATION_NAME);
            assertThat(killed).isEqualTo(1);

            eventStreams.append(tenant, assigned(task, "agent-8"));

            // Heard on the new connection, or read again after reconnecting: either way it arrives.
            assertRecord(stream.next(SOON), "task", task, 1);
        }
    }

    @Test
    void stream_endsWhenItsTokenExpires() throws Exception {
        UUID task = createTask(tenant);
        String shortLived = TestTokens.token(JWT_SECRET, tenant, "read", Instant.now().plusSeconds(2));
        try (SseClient stream = open("?topics=records:task/" + task, shortLived)) {
            assertRecord(stream.next(SOON), "task", task, 0);
            await().atMost(SOON).until(stream::ended);
        }
    }

    @Test
    void stream_acceptsTheTokenAsAccessTokenParameter_butNoOtherEndpointDoes() throws Exception {
        UUID task = createTask(tenant);
        try (SseClient stream = open("?topics=records:task/" + task + "&access_token=" + read(tenant))) {
            assertThat(stream.status()).isEqualTo(200);
            assertRecord(stream.next(SOON), "task", task, 0);
        }
        Response elsewhere = api().get("/api/v1/tasks/" + task + "?access_token=" + read(tenant), null);
        assertThat(elsewhere.status()).isEqualTo(401);
        try (SseClient both = open("?topics=records:task/" + task + "&access_token=" + read(tenant), read(tenant))) {
            assertThat(both.status()).isEqualTo(401);
        }
    }

    @Test
    void stream_refusesBadTopicsWith400NamingTopics() throws Exception {
        String many = IntStream.range(0, 21).mapToObj(i -> "records:task/" + UUID.randomUUID())
                                                .collect(Collectors.joining(","));
        for (String query : List.of("", "?topics=", "?topics=tasks", "?topics=records:task",
                                    "?topics=records:widget/" + UUID.randomUUID(), "?topics=records:task/42",
                                    "?topics=records:task/" + UUID.randomUUID() + ",,projections",
                                    "?topics=" + many)) {
            try (SseClient stream = open(query, read(tenant))) {
                assertThat(stream.status()).as(query).isEqualTo(400);
                assertThat(stream.contentType()).as(query).startsWith("application/problem+json");
                JsonNode problem = json.readTree(stream.body());
                assertThat(problem.get("code").asString()).isEqualTo("validation_failed");
                assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("topics");
            }
        }
    }

    /** What an attacker controls here is the query string and the headers: each hostile one is a problem, never a 500. */
    @Test
    void stream_answersHostileTopicsAndResumeIdsWithAProblemOrIgnoresThem_neverA500() throws Exception {
        String task = UUID.randomUUID().toString();
        for (String query : List.of("?topics=records:task/" + task + "%00",
                                    "?topics=records:task/%00" + task,
                                    "?topics=projections%00",
                                    "?topics=" + "records:task/".repeat(20_000) + task)) {
            try (SseClient stream = open(query, read(tenant))) {
                assertThat(stream.status()).as(query.substring(0, Math.min(60, query.length()))).isEqualTo(400);
                assertThat(stream.contentType()).startsWith("application/problem+json");
            }
        }
        // A resume id the client made up (garbage, or huge) is ignored, and the stream starts over.
        for (String lastEventId : List.of("\u00ff\u00fe' OR 1=1 --", "9".repeat(4_000), "-1,-1,-1")) {
            try (SseClient stream = open("?topics=records:task/" + task, read(tenant), "Last-Event-ID", lastEventId)) {
                assertThat(stream.status()).as(lastEventId.substring(0, Math.min(30, lastEventId.length()))).isEqualTo(200);
            }
        }
    }

    @Test
    void stream_refusesTopicsBeyondTheTokensScopesWith403_andNoTokenWith401() throws Exception {
        String record = "?topics=records:task/" + UUID.randomUUID();
        assertRefused(open("?topics=projections", read(tenant)), 403, "forbidden");
        assertRefused(open(record, token(tenant, "admin")), 403, "forbidden");
        assertRefused(open(record + ",projections", token(tenant, "read audit")), 403, "forbidden");
        assertRefused(open(record), 401, "unauthorized");
        try (SseClient both = open(record + ",projections", token(tenant, "read admin"))) {
            assertThat(both.status()).isEqualTo(200);
        }
    }

    @Test
    void stream_refusesMoreStreamsThanATenantMayOpen() throws Exception {
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                SseClient stream = open("?topics=records:task/" + UUID.randomUUID(), read(tenant));
                open.add(stream);
                assertThat(stream.status()).isEqualTo(200);
            }
            assertRefused(open("?topics=records:task/" + UUID.randomUUID(), read(tenant)), 429, "too_many_streams");
            try (SseClient otherTenant = open("?topics=records:task/" + UUID.randomUUID(), read(UUID.randomUUID()))) {
                assertThat(otherTenant.status()).isEqualTo(200);
            }
        } finally {
            open.forEach(SseClient::close);
        }
        await().atMost(SOON).untilAsserted(() -> {
            try (SseClient again = open("?topics=records:task/" + UUID.randomUUID(), read(tenant))) {
                assertThat(again.status()).isEqualTo(200);
            }
        });
    }

    private void assertRefused(SseClient stream, int status, String code) throws Exception {
        try (stream) {
            assertThat(stream.status()).isEqualTo(status);
            assertThat(stream.contentType()).startsWith("application/problem+json");
            assertThat(json.readTree(stream.body()).get("code").asString()).isEqualTo(code);
        }
    }

    private UUID createTask(UUID owner) {
        UUID task = UUID.randomUUID();
        eventStreams.append(owner, TaskEvents.created(task, owner, project));
        awaitTaskVersion(task, 0);
        return task;
    }

    private static TaskAssigned assigned(UUID task, String assignee) {
        return new TaskAssigned(task, AssigneeType.AGENT, assignee);
    }

    private SseClient open(String query, String token, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + token));
        all.addAll(List.of(headers));
        return SseClient.open(port, query, all.toArray(String[]::new));
    }

    private SseClient open(String query) {
        return SseClient.open(port, query);
    }

    private static String read(UUID tenant) {
        return TestTokens.read(tenant);
    }

    private static String token(UUID tenant, String scope) {
        return TestTokens.token(JWT_SECRET, tenant, scope, Instant.now().plus(Duration.ofMinutes(10)));
    }

    private void assertRecord(Event event, String type, UUID id, long version) {
        assertThat(event).as("a record event").isNotNull();
        assertThat(event.name()).isEqualTo("record");
        JsonNode data = json.readTree(event.data());
        assertThat(data.get("type").asString()).isEqualTo(type);
        assertThat(data.get("id").asString()).isEqualTo(id.toString());
        assertThat(data.get("version").asLong()).isEqualTo(version);
    }

    private long version(Event event) {
        return "record".equals(event.name()) ? json.readTree(event.data()).get("version").asLong() : -1;
    }

    private JsonNode field(Event event) {
        return json.readTree(event.data());
    }

    private long deadLetters(Event event) {
        return field(event).get("deadLetters").asLong();
    }

    private String name(Event event) {
        return "projection".equals(event.name()) ? field(event).get("name").asString() : null;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>(node.propertyNames());
        names.sort(null);
        return names;
    }

    /**
     * What a socket that never read gets once it reads: until the server closes it, or until it has
     * been silent for 3 s (heartbeats come every second in tests, so silence means the server
     * stopped writing to it).
     */
    private static String drain(Socket socket) throws IOException {
        socket.setSoTimeout(3000);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException silent) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
            if (n < 0) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
            bytes.write(buffer, 0, n);
        }
        throw new AssertionError("The server kept writing to the dropped client; it got " + bytes.size() + " bytes");
    }
}

package dev.verity.query.faults;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Clients sending commands in a loop while faults are injected. They behave as README tells
 * clients to: a non-2xx answer or no answer at all is retried with the same
 * {@code Idempotency-Key} (after a short backoff) until some 2xx arrives; a 2xx ends the
 * operation, since a client has no reason to doubt one. A client that sends no key cannot retry
 * safely, so it gives up on anything but a 2xx. After {@link #stop} each client finishes its
 * operation in hand, giving up only past the retry window.
 */
final class CommandLoad {

    /** What the clients send, and where. */
    interface Workload {

        /** The client's next operation, given how its previous one ended (null at first). */
        Operation next(int client, Operation previous, String key, Random random);

        /** The command API of the node the next attempt goes to. */
        String commandApi(Random random);

        /** The {@code If-Match} to send after a 409 or 412 (the operation's own one by default). */
        default Long afterConflict(Operation operation) {
            return operation.ifMatch;
        }

        default void acknowledged(Operation operation) {
        }
    }

    private final FaultPlatform platform;
    private final String keyPrefix;
    private final String token;
    private final UUID projectId = UUID.randomUUID();
    private final Workload workload;
    private final List<Operation> operations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final LongAdder conflicts = new LongAdder();
    private final List<Thread> clients = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Instant giveUpAt;
    private Duration pace = Duration.ZERO;

    CommandLoad(FaultPlatform platform, String keyPrefix, String token, Workload workload) {
        this.platform = platform;
        this.keyPrefix = keyPrefix;
        this.token = token;
        this.workload = workload;
    }

    /**
     * Clients that each create a task, add three steps to it, and start over, on one node; every
     * {@code keylessEvery}-th client sends no {@code Idempotency-Key} (0: all send one).
     */
    static Workload ownTasks(int clients, int keylessEvery, String commandApi) {
        int[] stepsLeft = new int[clients];
        return new Workload() {
            @Override
            public Operation next(int client, Operation previous, String key, Random random) {
                boolean idempotent = keylessEvery == 0 || client % keylessEvery != keylessEvery - 1;
                if (previous != null && previous.acknowledged() && stepsLeft[client] > 0) {
                    stepsLeft[client]--;
                    return Operation.addStep(key, previous.task(), null, idempotent);
                }
                stepsLeft[client] = 3;
                return Operation.createTask(key, idempotent);
            }

            @Override
            public String commandApi(Random random) {
                return commandApi;
            }
        };
    }

    /**
     * Each client starts an operation at most once per {@code interval} (retries aside), so the
     * load stays below what the machine can serve. Unpaced clients send as fast as they are
     * answered, which on two cores saturates the CPU: a node started again then competes, one
     * main thread against every request thread of the other processes under Linux's per-thread
     * fair scheduler, and took 107 s instead of 13 s to start.
     */
    CommandLoad paced(Duration interval) {
        this.pace = interval;
        return this;
    }

    CommandLoad start(int count) {
        for (int i = 0; i < count; i++) {
            int client = i;
            Thread thread = new Thread(() -> run(client), keyPrefix + "client-" + i);
            thread.setDaemon(true);
            clients.add(thread);
            thread.start();
        }
        return this;
    }

    /** Stops starting operations; those in hand are retried for at most {@code retryWindow}. */
    void stop(Duration retryWindow) throws InterruptedException {
        giveUpAt = Instant.now().plus(retryWindow);
        stopping = true;
        for (Thread client : clients) {
            client.join(retryWindow.plusSeconds(60).toMillis());
            if (client.isAlive()) {
                throw new IllegalStateException(client.getName() + " is still waiting for an answer");
            }
        }
    }

    List<Operation> operations() {
        synchronized (operations) {
            return List.copyOf(operations);
        }
    }

    /** How often each kind of answer came: {@code 201}, {@code 503 storage_unavailable}, {@code I/O ...}. */
    Map<String, Long> answers() {
        Map<String, Long> counts = new TreeMap<>();
        answers.forEach((label, count) -> counts.put(label, count.sum()));
        return counts;
    }

    long conflicts() {
        return conflicts.sum();
    }

    private void run(int client) {
        Random random = new Random(client * 7919L + keyPrefix.hashCode());
        Operation previous = null;
        for (int n = 0; !stopping; n++) {
            Operation operation = workload.next(client, previous, keyPrefix + "c" + client + "-" + n, random);
            operations.add(operation);
            long started = System.nanoTime();
            try {
                execute(operation, random);
                long rest = pace.toNanos() - (System.nanoTime() - started);
                if (rest > 0 && !stopping) {
                    Thread.sleep(rest / 1_000_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                operation.unresolved = !operation.acknowledged() && !operation.falseAcknowledgement;
                return;
            }
            previous = operation;
        }
    }

    private void execute(Operation operation, Random random) throws InterruptedException {
        long backoff = 50;
        while (true) {
            operation.attempts++;
            Long ifMatch = operation.ifMatch;
            FaultPlatform.Reply reply = null;
            try {
                reply = platform.post(token, workload.commandApi(random) + path(operation), body(operation),
                                      headers(operation, ifMatch), Duration.ofSeconds(45));
            } catch (IOException e) {
                tally("I/O " + e.getClass().getSimpleName());
            }
            if (reply != null && reply.status() / 100 == 2) {
                JsonNode json = parse(reply);
                if (json != null && json.hasNonNull("id") && json.hasNonNull("version")) {
                    operation.ackVersion = json.get("version").asLong();
                    operation.ackIfMatch = ifMatch;
                    operation.ackedAt = Instant.now();
                    operation.ackId = UUID.fromString(json.get("id").asString());
                    tally(String.valueOf(reply.status()));
                    workload.acknowledged(operation);
                } else {
                    operation.falseAcknowledgement = true;
                    tally(reply.status() + " without id and version");
                }
                return;
            }
            if (reply != null) {
                tally(label(reply));
                if (reply.status() == 409 || reply.status() == 412) {
                    conflicts.increment();
                    operation.ifMatch = workload.afterConflict(operation);
                }
            }
            if (!operation.idempotent) {
                operation.abandoned = true;
                return;
            }
            Instant deadline = giveUpAt;
            if (deadline != null && Instant.now().isAfter(deadline)) {
                operation.unresolved = true;
                return;
            }
            Thread.sleep(backoff + random.nextInt(25));
            backoff = Math.min(backoff * 2, 1000);
        }
    }

    private static String path(Operation operation) {
        return operation.kind == Operation.Kind.CREATE_TASK ? "/tasks" : "/tasks/" + operation.taskId + "/steps";
    }

    private Map<String, String> body(Operation operation) {
        return operation.kind == Operation.Kind.CREATE_TASK
               ? Map.of("projectId", projectId.toString(), "type", "REVIEW", "title", operation.key)
               : Map.of("action", operation.key);
    }

    private static Map<String, String> headers(Operation operation, Long ifMatch) {
        Map<String, String> headers = new HashMap<>();
        if (operation.idempotent) {
            headers.put("Idempotency-Key", operation.key);
        }
        if (ifMatch != null) {
            headers.put("If-Match", "\"" + ifMatch + "\"");
        }
        return headers;
    }

    /** {@code 503 storage_unavailable}, {@code 500 text/html}, {@code 503 ... without Retry-After}. */
    private static String label(FaultPlatform.Reply reply) {
        JsonNode json = reply.contentType().contains("json") ? parse(reply) : null;
        String what;
        if (json != null && json.hasNonNull("code")) {
            what = (reply.contentType().startsWith("application/problem+json") ? "" : reply.contentType() + " ")
                   + json.get("code").asString();
        } else {
            what = reply.body().isBlank() ? "empty body" : reply.contentType();
        }
        String retryAfter = reply.status() == 503 && reply.retryAfter() == null ? " without Retry-After" : "";
        return reply.status() + " " + what + retryAfter;
    }

    private static JsonNode parse(FaultPlatform.Reply reply) {
        try {
            return reply.json();
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private void tally(String label) {
        answers.computeIfAbsent(label, l -> new LongAdder()).increment();
    }
}

package dev.verity.query.stream;

import dev.verity.query.platform.security.Reach;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One open stream. Whoever has news for it ({@link StreamHub}'s threads) only appends a frame to
 * its bounded queue; frames reach the socket through Servlet non-blocking output on the shared
 * writer thread, which writes only while the container says the socket can take more, so no
 * thread ever waits on a client. A client that lets {@code clientBuffer} frames pile up is
 * dropped: it reconnects with {@code Last-Event-ID} and resumes (see {@link Resume}).
 */
final class StreamClient implements WriteListener, AsyncListener {

    private static final byte[] RETRY = "retry: 2000\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final UUID tenantId;
    private final Reach reach;
    private final Topics topics;
    private final Instant expiresAt;
    private final int capacity;
    private final Executor writer;
    private final Consumer<StreamClient> onClose;
    /** Last version queued per record topic; guarded by this. */
    private final long[] versions;
    /** Last status queued per projection; guarded by this. */
    private final Map<String, String> projections = new HashMap<>();
    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Held while writing and while ending the response. */
    private final Object writing = new Object();
    private volatile boolean writable;
    private volatile AsyncContext async;
    private volatile ServletOutputStream out;
    /** Writer thread only: frames written since the last flush. */
    private boolean unflushed;

    StreamClient(UUID tenantId, Reach reach, Topics topics, long[] resumed, Instant expiresAt, int capacity,
                 Executor writer, Consumer<StreamClient> onClose) {
        this.tenantId = tenantId;
        this.reach = reach;
        this.topics = topics;
        this.versions = Arrays.copyOf(resumed, resumed.length);
        this.expiresAt = expiresAt;
        this.capacity = capacity;
        this.writer = writer;
        this.onClose = onClose;
        queue.add(RETRY);
        queued.set(1);
    }

    UUID tenantId() {
        return tenantId;
    }

    Reach reach() {
        return reach;
    }

    List<Topics.RecordTopic> records() {
        return topics.records();
    }

    boolean followsProjections() {
        return topics.projections();
    }

    boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Queues a {@code record} event unless the client already has this version or a newer one. */
    synchronized void record(int index, long version) {
        if (closed.get() || version <= versions[index]) {
            return;
        }
        versions[index] = version;
        Topics.RecordTopic topic = topics.records().get(index);
        offer(frame("record", "{\"type\":\"" + topic.type() + "\",\"id\":\"" + topic.id() + "\",\"version\":"
                              + version + "}"));
    }

    /** Queues a {@code projection} event unless the client's last one of it said the same. */
    synchronized void projection(String name, String status) {
        if (closed.get() || status.equals(projections.get(name))) {
            return;
        }
        projections.put(name, status);
        offer(frame("projection", status));
    }

    void heartbeat() {
        offer(HEARTBEAT);
    }

    /** Hands the client its response once the request has gone asynchronous. */
    void attach(AsyncContext context, ServletOutputStream output) {
        this.async = context;
        this.out = output;
        context.addListener(this);
        output.setWriteListener(this);
    }

    /** Drops the client: no more frames, and the response ends (the client sees it and reconnects). */
    void close() {
        synchronized (writing) {
            if (forget()) {
                complete();
            }
        }
    }

    /**
     * Stops queuing and unregisters, without ending the response: for when the container reports
     * the request finished or failed, and ends it itself. Ending it from here as well, on another
     * thread, would race the container's own error handling of the same request.
     */
    private boolean forget() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        onClose.accept(this);
        queue.clear();
        return true;
    }

    private void complete() {
        AsyncContext context = async;
        if (context != null) {
            try {
                context.complete();
            } catch (IllegalStateException alreadyDone) {
                // The container finished the request first.
            }
        }
    }

    private byte[] frame(String event, String data) {
        return ("id: " + Resume.id(topics.fingerprint(), versions) + "\nevent: " + event + "\ndata: " + data + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private void offer(byte[] frame) {
        if (closed.get()) {
            return;
        }
        if (queued.incrementAndGet() > capacity) {
            close();
            return;
        }
        queue.add(frame);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (writable && drainScheduled.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
    }

    /** On the writer thread: as much as the socket takes now; the container calls back when it takes more. */
    private void drain() {
        drainScheduled.set(false);
        synchronized (writing) {
            drainLocked();
        }
    }

    /** Under {@code writing}, so no frame is written to a response the container has completed and reuses. */
    private void drainLocked() {
        ServletOutputStream output = out;
        try {
            while (!closed.get() && output.isReady()) {
                byte[] frame = queue.poll();
                if (frame == null) {
                    if (unflushed) {
                        unflushed = false;
                        output.flush();
                        continue;
                    }
                    return;
                }
                queued.decrementAndGet();
                output.write(frame);
                unflushed = true;
            }
        } catch (IOException | IllegalStateException e) {
            // The container reports the failure to onError below, which ends the request.
            forget();
        }
    }

    @Override
    public void onWritePossible() {
        writable = true;
        scheduleDrain();
    }

    @Override
    public void onError(Throwable t) {
        synchronized (writing) {
            forget();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        synchronized (writing) {
            forget();
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        close();
    }

    /** The container's thread, as the Servlet spec wants: ending the request here stops its error dispatch. */
    @Override
    public void onError(AsyncEvent event) {
        synchronized (writing) {
            forget();
            complete();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Started once, by the controller.
    }
}

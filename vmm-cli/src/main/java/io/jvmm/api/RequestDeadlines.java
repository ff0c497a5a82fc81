package io.jvmm.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;

/**
 * A client must send a whole request head within {@link #limit} of connecting (or of its
 * previous answer). The idle timeout alone does not bound that: a client trickling one byte a
 * second is never idle and would hold its connection for ever.
 */
final class RequestDeadlines implements Connection.Listener {
    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<Connection, State> states = new ConcurrentHashMap<>();

    /** What one connection is doing: answering a request, and how many it has had. */
    private static final class State {
        volatile boolean inRequest;
        volatile long requests;
    }

    RequestDeadlines(Duration limit) {
        this.limit = limit;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jvmm-api-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void onOpened(Connection connection) {
        State s = new State();
        states.put(connection, s);
        arm(connection, s);
    }

    @Override
    public void onClosed(Connection connection) {
        states.remove(connection);
    }

    /** A request head arrived on {@code connection}. */
    void started(Connection connection) {
        State s = states.get(connection);
        if (s != null) {
            s.inRequest = true;
            s.requests++;
        }
    }

    /** Its answer is sent: the next request head has {@link #limit} again. */
    void finished(Connection connection) {
        State s = states.get(connection);
        if (s != null) {
            s.inRequest = false;
            arm(connection, s);
        }
    }

    private void arm(Connection connection, State s) {
        long seen = s.requests;
        timer.schedule(() -> {
            if (!s.inRequest && s.requests == seen && states.containsKey(connection)) {
                connection.getEndPoint().close();
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        timer.shutdownNow();
    }
}

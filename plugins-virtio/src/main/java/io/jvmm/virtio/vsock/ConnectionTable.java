package io.jvmm.virtio.vsock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The device's open connections, keyed by (local port, peer port), with the two sets the
 * selector thread works through: connections whose host socket is not registered yet, and
 * connections that owe the guest a control packet. Bounded by {@link #MAX_CONNECTIONS}.
 * Guarded by the {@link VsockMuxer}'s lock.
 */
final class ConnectionTable {
    static final int MAX_CONNECTIONS = 256;
    /** Host-initiated connections get local ports from here up (Firecracker and Linux use the same range idea). */
    static final int FIRST_LOCAL_PORT = 1 << 30;

    private final Map<Long, Connection> connections = new HashMap<>();
    private final Set<Connection> unregistered = new LinkedHashSet<>();
    private final Set<Connection> controlPending = new LinkedHashSet<>();
    private int nextLocalPort = FIRST_LOCAL_PORT;

    Connection get(int localPort, int peerPort) {
        return connections.get(Connection.key(localPort, peerPort));
    }

    /** Whether {@code c} is still the table's connection for its ports (not dropped, not replaced). */
    boolean holds(Connection c) {
        return connections.get(c.key()) == c;
    }

    boolean full() {
        return connections.size() >= MAX_CONNECTIONS;
    }

    int size() {
        return connections.size();
    }

    Collection<Connection> all() {
        return connections.values();
    }

    /** A copy, for loops that may drop connections as they go. */
    List<Connection> snapshot() {
        return new ArrayList<>(connections.values());
    }

    /** Adds a guest-initiated connection, whose host socket the selector thread registers next. */
    void addUnregistered(Connection c) {
        connections.put(c.key(), c);
        unregistered.add(c);
    }

    /** Adds a host-initiated connection, whose socket is registered already. */
    void add(Connection c) {
        connections.put(c.key(), c);
    }

    /** Forgets {@code c} (its socket is the caller's to close). */
    void remove(Connection c) {
        connections.remove(c.key());
        unregistered.remove(c);
        controlPending.remove(c);
    }

    /** {@code c} owes the guest a control packet ({@link Connection#hasControl}). */
    void owesControl(Connection c) {
        controlPending.add(c);
    }

    Iterator<Connection> controlPending() {
        return controlPending.iterator();
    }

    /** The connections whose sockets are not registered with the selector yet; each is taken once. */
    List<Connection> takeUnregistered() {
        List<Connection> out = new ArrayList<>(unregistered);
        unregistered.clear();
        return out;
    }

    /** A local port for a host-initiated connection to {@code peerPort} that no open connection uses. */
    int allocateLocalPort(int peerPort) {
        while (connections.containsKey(Connection.key(nextLocalPort, peerPort))) {
            nextLocalPort++;
        }
        int p = nextLocalPort++;
        if (nextLocalPort == 0) {
            nextLocalPort = FIRST_LOCAL_PORT;
        }
        return p;
    }

    /** Bytes held for host sockets over all connections. */
    long bufferedToHost() {
        long n = 0;
        for (Connection c : connections.values()) {
            n += c.toHost == null ? 0 : c.toHost.capacity();
        }
        return n;
    }

    /** Every connection's ports, local:peer. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Connection c : connections.values()) {
            out.add(Integer.toUnsignedString(c.localPort) + ":" + Integer.toUnsignedString(c.peerPort));
        }
        return out;
    }
}

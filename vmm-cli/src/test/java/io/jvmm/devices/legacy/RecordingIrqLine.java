package io.jvmm.devices.legacy;

import io.jvmm.spi.IrqLine;

import java.util.ArrayList;
import java.util.List;

/** An {@link IrqLine} that records every call, to check a device changes its line only on edges. */
final class RecordingIrqLine implements IrqLine {
    private final int gsi;
    private final List<Boolean> calls = new ArrayList<>();

    RecordingIrqLine(int gsi) {
        this.gsi = gsi;
    }

    @Override
    public int gsi() {
        return gsi;
    }

    @Override
    public synchronized void assertLine() {
        calls.add(true);
    }

    @Override
    public synchronized void deassertLine() {
        calls.add(false);
    }

    /** The level after the last call (low when never called). */
    synchronized boolean level() {
        return !calls.isEmpty() && calls.get(calls.size() - 1);
    }

    /** Every call so far: true for assert, false for deassert. */
    synchronized List<Boolean> calls() {
        return List.copyOf(calls);
    }

    synchronized void clear() {
        calls.clear();
    }
}

package io.jvmm.testkit;

import io.jvmm.spi.IrqLine;

/** An INTx line that remembers its level and counts assertions. */
public final class RecordingIrqLine implements IrqLine {
    private boolean asserted;
    private int assertions;

    @Override
    public int gsi() {
        return 16;
    }

    @Override
    public synchronized void assertLine() {
        asserted = true;
        assertions++;
        notifyAll();
    }

    @Override
    public synchronized void deassertLine() {
        asserted = false;
    }

    public synchronized boolean asserted() {
        return asserted;
    }

    public synchronized int assertions() {
        return assertions;
    }

    public synchronized boolean awaitAsserted(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!asserted && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return asserted;
    }
}

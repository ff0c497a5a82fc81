package io.jvmm.virtio.pci;

import io.jvmm.spi.IrqLine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Turns "queue i has used buffers" and "config changed" into an interrupt the way virtio 1.2,
 * 4.1.5.4 asks: with MSI-X enabled, the MSI-X entry the driver mapped to that source (none for
 * VIRTIO_MSI_NO_VECTOR); otherwise the ISR status bit and the INTx line, which stays asserted
 * until the driver reads the ISR (4.1.4.5, read-to-clear). Thread-safe and lock-free apart from
 * the MSI-X table's own lock.
 */
final class VirtioInterrupts {
    static final int NO_VECTOR = 0xffff;
    static final int ISR_QUEUE = 1;
    static final int ISR_CONFIG = 2;

    private final MsixTable msix;
    private final IrqLine intx;
    private final AtomicIntegerArray queueVectors;
    private final AtomicInteger isr = new AtomicInteger();
    private volatile int configVector = NO_VECTOR;
    private volatile boolean intxDisabled;

    VirtioInterrupts(MsixTable msix, IrqLine intx, int queues) {
        this.msix = msix;
        this.intx = intx;
        this.queueVectors = new AtomicIntegerArray(queues);
        resetVectors();
    }

    /** Back to VIRTIO_MSI_NO_VECTOR everywhere, as after a device reset (4.1.4.3). */
    void resetVectors() {
        configVector = NO_VECTOR;
        for (int i = 0; i < queueVectors.length(); i++) {
            queueVectors.set(i, NO_VECTOR);
        }
    }

    int configVector() {
        return configVector;
    }

    int queueVector(int queue) {
        return queueVectors.get(queue);
    }

    /** Maps the config source; a vector the table does not have maps to NO_VECTOR (4.1.5.1.2). */
    int setConfigVector(int vector) {
        configVector = checked(vector);
        return configVector;
    }

    int setQueueVector(int queue, int vector) {
        queueVectors.set(queue, checked(vector));
        return queueVectors.get(queue);
    }

    private int checked(int vector) {
        return vector >= 0 && vector < msix.size() ? vector : NO_VECTOR;
    }

    void queue(int queue) {
        deliver(queueVectors.get(queue), ISR_QUEUE);
    }

    void configChanged() {
        deliver(configVector, ISR_CONFIG);
    }

    private void deliver(int vector, int isrBit) {
        boolean sentByMsix = vector != NO_VECTOR ? msix.fire(vector) : msix.enabled();
        if (sentByMsix) {
            return;
        }
        isr.getAndUpdate(v -> v | isrBit);
        if (!intxDisabled) {
            intx.assertLine();
        }
    }

    /** A driver read of the ISR status: returns and clears it, lowering INTx (4.1.4.5.1). */
    int readIsr() {
        int value = isr.getAndSet(0);
        if (value != 0) {
            intx.deassertLine();
        }
        return value;
    }

    /** The Interrupt Disable bit of the PCI Command register (PCI 3.0, 6.2.2). */
    void setIntxDisabled(boolean disabled) {
        if (disabled == intxDisabled) {
            return;
        }
        intxDisabled = disabled;
        if (disabled) {
            intx.deassertLine();
        } else if (isr.get() != 0) {
            intx.assertLine();
        }
    }

    /** ISR bits not yet read by the driver, for snapshots (unlike {@link #readIsr()} this clears nothing). */
    int isr() {
        return isr.get();
    }

    /**
     * Puts saved vectors and ISR bits back (the vectors already checked against the table size);
     * a pending ISR raises INTx again unless the command register disables it.
     */
    void restore(int config, int[] queues, int isrBits, boolean intxOff) {
        configVector = config;
        for (int i = 0; i < queueVectors.length(); i++) {
            queueVectors.set(i, queues[i]);
        }
        intxDisabled = intxOff;
        isr.set(isrBits);
        if (isrBits != 0 && !intxOff) {
            intx.assertLine();
        }
    }

    /** Whether {@code vector} names an entry of the table or is VIRTIO_MSI_NO_VECTOR. */
    boolean validVector(int vector) {
        return vector == NO_VECTOR || vector >= 0 && vector < msix.size();
    }

    MsixTable msix() {
        return msix;
    }
}

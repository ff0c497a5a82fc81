package io.jvmm.vfio.irq;

import io.jvmm.spi.Interrupts;
import io.jvmm.spi.MsiVector;
import io.jvmm.spi.ResamplingIrqFd;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.pci.InterruptControl;
import io.jvmm.vfio.pci.MsiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connects the device's interrupts to the guest. One mode at a time, as on real hardware:
 * <ul>
 * <li>INTx: VFIO signals the trigger eventfd of a resampling irqfd and masks the line; the
 *     guest's EOI signals the resample eventfd, which VFIO takes as "unmask";</li>
 * <li>MSI / MSI-X: VFIO_DEVICE_SET_IRQS gets one eventfd per vector, each the irqfd of a VMM
 *     {@link MsiVector}, whose GSI route follows the guest's programming and masking. A masked
 *     vector's irqfd is detached by the VMM, so interrupts wait in the eventfd and arrive at
 *     unmask (PCI Local Bus 3.0, 6.8.3.4: pending while masked).</li>
 * </ul>
 * With MSI and MSI-X both off the device falls back to INTx, as the seed does.
 */
public final class InterruptRouting implements InterruptControl, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InterruptRouting.class);

    /** The device's interrupt mode. */
    public enum Mode { NONE, INTX, MSI, MSIX }

    private final PassthroughBackend backend;
    private final Interrupts interrupts;
    private final ResamplingIrqFd intx;
    private final List<MsiVector> vectors = new ArrayList<>();
    /** The message each vector was last given; null until it has one. */
    private MsiMessage[] programmed = new MsiMessage[0];
    private Mode mode = Mode.NONE;
    private int enabledVectors;
    private boolean closed;

    /**
     * @param intx the INTx line, or null when the device has no INTx or the VMM cannot drive it
     */
    public InterruptRouting(PassthroughBackend backend, Interrupts interrupts, ResamplingIrqFd intx) {
        this.backend = backend;
        this.interrupts = interrupts;
        this.intx = intx;
    }

    /** Starts in INTx mode when there is INTx (the state after reset). */
    public synchronized void start() {
        enterIntx();
    }

    public synchronized Mode mode() {
        return mode;
    }

    @Override
    public synchronized void msi(boolean enabled, List<MsiMessage> messages) {
        update(Mode.MSI, PassthroughBackend.MSI_IRQ, enabled, messages);
    }

    @Override
    public synchronized void msix(boolean enabled, List<MsiMessage> messages) {
        update(Mode.MSIX, PassthroughBackend.MSIX_IRQ, enabled, messages);
    }

    private void update(Mode target, int irqIndex, boolean enabled, List<MsiMessage> messages) {
        if (closed) {
            return;
        }
        if (!enabled) {
            if (mode == target) {
                leave();
                enterIntx();
            }
            return;
        }
        if (mode == target && enabledVectors == messages.size()) {
            program(messages);
            return;
        }
        // Entering the mode, or MSI with a new vector count (VFIO cannot resize MSI in place).
        leave();
        ensureVectors(messages.size());
        program(messages);
        int[] fds = new int[messages.size()];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = vectors.get(i).eventFd().fd();
        }
        try {
            backend.enableIrq(irqIndex, fds);
        } catch (RuntimeException e) {
            log.error("{}: cannot enable {} with {} vector(s): {}; the device's interrupts are lost", backend.name(),
                    target, fds.length, e.getMessage());
            maskAll();
            return;
        }
        mode = target;
        enabledVectors = messages.size();
        log.debug("{}: {} on with {} vector(s)", backend.name(), target, enabledVectors);
    }

    private void ensureVectors(int count) {
        while (vectors.size() < count) {
            vectors.add(interrupts.allocateMsi());
        }
        if (programmed.length < count) {
            programmed = Arrays.copyOf(programmed, count);
        }
    }

    /** Gives each vector its message when it changed. A vector never programmed and masked is left alone. */
    private void program(List<MsiMessage> messages) {
        for (int i = 0; i < messages.size(); i++) {
            MsiMessage m = messages.get(i);
            if (m.equals(programmed[i]) || (programmed[i] == null && m.masked())) {
                continue;
            }
            vectors.get(i).update(m.address(), m.data(), m.masked());
            programmed[i] = m;
        }
    }

    /** Masks every vector that has a route, so nothing stray is injected while MSI/MSI-X is off. */
    private void maskAll() {
        for (int i = 0; i < programmed.length; i++) {
            MsiMessage m = programmed[i];
            if (m != null && !m.masked()) {
                vectors.get(i).update(m.address(), m.data(), true);
                programmed[i] = m.asMasked();
            }
        }
    }

    private void leave() {
        switch (mode) {
            case INTX -> disable(PassthroughBackend.INTX_IRQ);
            case MSI -> disable(PassthroughBackend.MSI_IRQ);
            case MSIX -> disable(PassthroughBackend.MSIX_IRQ);
            case NONE -> { }
        }
        if (mode == Mode.MSI || mode == Mode.MSIX) {
            maskAll();
        }
        mode = Mode.NONE;
        enabledVectors = 0;
    }

    private void enterIntx() {
        if (intx == null || backend.irq(PassthroughBackend.INTX_IRQ).count() == 0) {
            return;
        }
        try {
            backend.enableIrq(PassthroughBackend.INTX_IRQ, new int[] {intx.trigger().fd()});
            backend.unmaskOnEventFd(PassthroughBackend.INTX_IRQ, intx.resample().fd());
            mode = Mode.INTX;
        } catch (RuntimeException e) {
            log.warn("{}: cannot enable INTx ({}); the guest must use MSI or MSI-X", backend.name(), e.getMessage());
        }
    }

    private void disable(int index) {
        try {
            backend.disableIrq(index);
        } catch (RuntimeException e) {
            log.warn("{}: cannot disable interrupt index {}: {}", backend.name(), index, e.getMessage());
        }
    }

    /** Turns the device's interrupts off and releases vectors and the INTx irqfd. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        leave();
        closed = true;
        for (MsiVector v : vectors) {
            try {
                v.close();
            } catch (RuntimeException e) {
                log.warn("{}: MSI vector did not close cleanly: {}", backend.name(), e.toString());
            }
        }
        vectors.clear();
        if (intx != null) {
            intx.close();
        }
    }
}

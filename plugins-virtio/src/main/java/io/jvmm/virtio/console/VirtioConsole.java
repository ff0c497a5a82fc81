package io.jvmm.virtio.console;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;
import io.jvmm.virtio.queue.ChainBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio console device (virtio 1.2, 5.3) with one port and no VIRTIO_CONSOLE_F_MULTIPORT:
 * receiveq (queue 0) carries host input to the guest, transmitq (queue 1) the guest's output to
 * a {@link ConsoleBackend}. Linux makes it {@code hvc0}. With a size (configured, or a terminal
 * on stdio) VIRTIO_CONSOLE_F_SIZE is offered and a resize raises a config-change interrupt, on
 * which the driver re-reads {@code cols}/{@code rows} (5.3.6). VIRTIO_CONSOLE_F_EMERG_WRITE
 * lets a driver write single bytes through {@code emerg_wr} before the queues exist.
 */
final class VirtioConsole implements VirtioDevice {
    static final int F_SIZE = 0;
    static final int F_EMERG_WRITE = 2;
    static final int RX = 0;
    static final int TX = 1;
    static final int QUEUE_SIZE = 128;
    static final int CONFIG_SIZE = 12;
    static final int EMERG_WR = 8;
    /** Most bytes given to the guest in one receive buffer. */
    private static final int RX_CHUNK = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(VirtioConsole.class);

    private final String id;
    private final ConsoleBackend backend;
    private final InputBuffer input;
    private final boolean offerSize;
    private volatile ConsoleSize size;
    private volatile VirtioActivation current;
    private volatile boolean outputFailed;
    private volatile boolean closed;

    /**
     * @param size the console size to report, or empty to not offer VIRTIO_CONSOLE_F_SIZE
     */
    VirtioConsole(String id, ConsoleBackend backend, InputBuffer input, Optional<ConsoleSize> size) {
        this.id = id;
        this.backend = backend;
        this.input = input;
        this.offerSize = size.isPresent();
        this.size = size.orElse(null);
    }

    @Override
    public int deviceType() {
        return VirtioIds.CONSOLE;
    }

    @Override
    public long deviceFeatures() {
        return (offerSize ? 1L << F_SIZE : 0) | 1L << F_EMERG_WRITE;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ConsoleSize s = size;
        if (s != null) {
            b.putShort(0, (short) s.cols()).putShort(2, (short) s.rows());
        }
        b.putInt(4, 1); // max_nr_ports: meaningful only with MULTIPORT; one port either way
        System.arraycopy(b.array(), offset, data, 0, data.length);
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        // 5.3.6: a write to emerg_wr outputs its low byte, with or without working queues.
        if (offset == EMERG_WR && data.length >= 1) {
            output(new byte[] {data[0]}, 1);
        }
    }

    @Override
    public void activate(VirtioActivation activation) {
        current = activation;
        VirtioQueue rx = activation.queue(RX);
        VirtioQueue tx = activation.queue(TX);
        if (tx.enabled()) {
            activation.startWorker("console-tx", () -> transmit(activation, tx));
        }
        if (rx.enabled()) {
            activation.startWorker("console-rx", () -> receive(rx));
        }
        if (activation.hasFeature(F_SIZE) && !activation.continued()) {
            // Linux reads cols/rows on a config change only: send one so it picks up the size.
            activation.configChanged();
        }
    }

    /**
     * Guest output: each chain's readable bytes, in order, copied to the backend in pieces of
     * {@link ChainBudget#COPY_PIECE} so a chain costs that much heap however long it is. A chain
     * of more than {@link ChainBudget#MAX_COPY_BYTES} is no console write (Linux sends at most
     * 32 KiB, or a pipe's worth by splice) but a driver spending host time: the device is reset.
     */
    private void transmit(VirtioActivation activation, VirtioQueue q) {
        byte[] piece = new byte[ChainBudget.COPY_PIECE];
        do {
            DescriptorChain c;
            while ((c = q.pop()) != null) {
                if (c.readableBytes() > ChainBudget.MAX_COPY_BYTES) {
                    activation.needsReset("transmit chain of " + c.readableBytes() + " bytes, more than the "
                            + ChainBudget.MAX_COPY_BYTES + " a console write may have");
                    return;
                }
                try {
                    ChainReader r = c.reader();
                    while (r.remaining() > 0) {
                        int n = Math.min(r.remaining(), piece.length);
                        r.read(piece, 0, n);
                        output(piece, n);
                    }
                } catch (BadChainException e) {
                    LOG.debug("{}: bad transmit chain: {}", id, e.getMessage());
                }
                q.addUsed(c, 0);
            }
            q.signalUsed();
        } while (q.awaitNotification());
    }

    private void output(byte[] data, int length) {
        try {
            backend.write(data, 0, length);
        } catch (IOException e) {
            if (!outputFailed) {
                outputFailed = true;
                LOG.warn("{}: console output to {} failed, dropping output: {}",
                        id, backend, e.toString());
            }
        }
    }

    /** Host input into the guest's receive buffers, as much per buffer as fits. */
    private void receive(VirtioQueue q) {
        try {
            while (!q.stopped()) {
                if (!input.await(200)) {
                    continue; // look at stopped() again now and then
                }
                DescriptorChain c = q.pop();
                if (c == null) {
                    if (!q.awaitNotification()) {
                        return;
                    }
                    continue;
                }
                byte[] data = input.take((int) Math.min(c.writableBytes(), RX_CHUNK));
                int written = 0;
                try {
                    ChainWriter w = c.writer();
                    w.write(data);
                    written = w.written();
                } catch (BadChainException e) {
                    LOG.debug("{}: bad receive chain: {}", id, e.getMessage());
                }
                q.complete(c, written);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The console was resized (terminal resize, or a caller): tell the driver (5.3.6). */
    void resize(ConsoleSize newSize) {
        if (!offerSize || newSize.equals(size)) {
            return;
        }
        size = newSize;
        VirtioActivation a = current;
        if (a != null && a.hasFeature(F_SIZE)) {
            a.configChanged();
        }
    }

    Optional<ConsoleSize> size() {
        return Optional.ofNullable(size);
    }

    @Override
    public boolean snapshottable() {
        return true;
    }

    @Override
    public byte[] saveState() {
        ConsoleSize s = size;
        return new ConsoleState(backend.toString(), s == null ? 0 : s.cols(), s == null ? 0 : s.rows()).encode();
    }

    @Override
    public void restoreState(byte[] state) throws StateException {
        ConsoleState saved = ConsoleState.decode(state);
        if (!saved.port().equals(backend.toString())) {
            throw new StateException("the console's port 0 was " + saved.port() + " in the snapshot and is "
                    + backend + " now");
        }
        if ((saved.cols() != 0) != offerSize) {
            throw new StateException("the console " + (offerSize ? "has" : "had") + " a size now but "
                    + (offerSize ? "had none" : "has none") + " in the snapshot");
        }
        if (offerSize) {
            size = new ConsoleSize(saved.cols(), saved.rows());
        }
    }

    @Override
    public void reset() {
        current = null;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        input.close();
        backend.close();
    }

    @Override
    public String toString() {
        return "virtio-console " + id + " (" + backend + ")";
    }
}

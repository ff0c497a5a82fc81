package io.jvmm.virtio.rng;

import io.jvmm.virtio.BadChainException;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.StateCodec;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * The entropy device (virtio 1.2, 5.4): one request queue, no feature bits, no config space.
 * Every buffer the driver posts is device-writable and gets filled from the entropy source
 * (5.4.6.2).
 */
public final class RngDevice implements VirtioDevice {
    /** Bytes served per request at most; the driver takes fewer than it asked for (5.4.6.2). */
    static final int MAX_REQUEST = 64 * 1024;
    private static final int QUEUE_SIZE = 256;

    private final FileChannel source;
    private final boolean rewindAtEnd;

    /**
     * @param source      where entropy comes from (a character device such as /dev/urandom)
     * @param rewindAtEnd read a regular file from the start again when it runs out
     */
    public RngDevice(FileChannel source, boolean rewindAtEnd) {
        this.source = Objects.requireNonNull(source, "source");
        this.rewindAtEnd = rewindAtEnd;
    }

    @Override
    public int deviceType() {
        return VirtioIds.ENTROPY;
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return 0;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
    }

    @Override
    public void activate(VirtioActivation activation) {
        VirtioQueue queue = activation.queue(0);
        activation.startWorker("rng", () -> serve(queue));
    }

    private void serve(VirtioQueue queue) {
        while (queue.awaitNotification()) {
            DescriptorChain chain;
            while ((chain = queue.pop()) != null) {
                queue.addUsed(chain, fill(chain));
            }
            queue.signalUsed();
        }
    }

    /** Fills the chain's writable buffers straight from the source; returns the bytes written. */
    private int fill(DescriptorChain chain) {
        ChainWriter writer = chain.writer();
        ByteBuffer[] slices;
        try {
            slices = writer.slices(MAX_REQUEST);
        } catch (BadChainException e) {
            return 0;
        }
        long wanted = 0;
        for (ByteBuffer b : slices) {
            wanted += b.remaining();
        }
        long got = 0;
        try {
            synchronized (source) {
                while (got < wanted) {
                    long n = source.read(slices);
                    if (n < 0) {
                        if (!rewindAtEnd || got == 0 && source.size() == 0) {
                            break;
                        }
                        source.position(0);
                        continue;
                    }
                    got += n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the entropy source", e);
        }
        return (int) got;
    }

    /** Nothing of its own to save beyond a version: the source is re-opened from the config. */
    static final int STATE_VERSION = 1;

    @Override
    public boolean snapshottable() {
        return true;
    }

    @Override
    public byte[] saveState() {
        return new StateCodec.Writer().putInt(STATE_VERSION).toByteArray();
    }

    @Override
    public void restoreState(byte[] state) throws StateException {
        StateCodec.open("virtio-rng state", state, STATE_VERSION).end();
    }

    @Override
    public void reset() {
        // Nothing negotiated, nothing in flight: the transport stops the queue and joins the worker.
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

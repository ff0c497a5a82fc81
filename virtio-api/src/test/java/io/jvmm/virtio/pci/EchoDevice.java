package io.jvmm.virtio.pci;

import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test device with two queues that copies each request's readable bytes into its writable
 * buffers, an 8-byte config space and feature bit 0; it counts activations and resets.
 */
final class EchoDevice implements VirtioDevice {
    static final int TYPE = 63;
    final AtomicInteger activations = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    final byte[] config = {1, 2, 3, 4, 5, 6, 7, 8};
    volatile boolean acceptFeatures = true;
    volatile VirtioActivation activation;

    @Override
    public int deviceType() {
        return TYPE;
    }

    @Override
    public long deviceFeatures() {
        return 1;
    }

    @Override
    public boolean acceptFeatures(long driverFeatures) {
        return acceptFeatures;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize(int index) {
        return 16;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(config, offset, data, 0, data.length);
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        System.arraycopy(data, 0, config, offset, data.length);
    }

    @Override
    public void activate(VirtioActivation activation) {
        this.activation = activation;
        activations.incrementAndGet();
        for (VirtioQueue q : activation.queues()) {
            activation.startWorker("echo" + q.index(), () -> serve(q));
        }
    }

    private static void serve(VirtioQueue q) {
        while (q.awaitNotification()) {
            DescriptorChain c;
            while ((c = q.pop()) != null) {
                ChainReader r = c.reader();
                ChainWriter w = c.writer();
                byte[] in = new byte[Math.min(r.remaining(), w.remaining())];
                r.read(in);
                w.write(in);
                q.addUsed(c, w.written());
            }
            q.signalUsed();
        }
    }

    @Override
    public boolean snapshottable() {
        return true;
    }

    /** Its config space is its state. */
    @Override
    public byte[] saveState() {
        return config.clone();
    }

    @Override
    public void restoreState(byte[] state) throws io.jvmm.spi.Snapshottable.StateException {
        if (state.length != config.length) {
            throw new io.jvmm.spi.Snapshottable.StateException("echo state of " + state.length + " bytes");
        }
        System.arraycopy(state, 0, config, 0, config.length);
    }

    @Override
    public void reset() {
        resets.incrementAndGet();
        activation = null;
    }
}

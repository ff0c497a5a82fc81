package io.jvmm.virtio.net;

import io.jvmm.virtio.VirtioActivation;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioIds;
import io.jvmm.virtio.VirtioQueue;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio network device (virtio 1.2, 5.1) on a host tap: receiveq1 (queue 0) is filled by
 * an {@link RxWorker} reading the tap, transmitq1 (queue 1) drained into the tap by a
 * {@link TxWorker}. No control queue and no multi-queue. Receive offloads the driver
 * acknowledges are switched on in the tap (TUNSETOFFLOAD) at activation and off again at reset.
 */
final class VirtioNet implements VirtioDevice {
    static final int RX = 0;
    static final int TX = 1;
    static final int QUEUE_SIZE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(VirtioNet.class);

    private final String id;
    private final Tap tap;
    private final NetConfig config;
    private final NetConfigSpace space;

    VirtioNet(String id, Tap tap, NetConfig config) {
        this.id = id;
        this.tap = tap;
        this.config = config;
        this.space = new NetConfigSpace(config.mac(), config.mtu());
    }

    @Override
    public int deviceType() {
        return VirtioIds.NET;
    }

    @Override
    public long deviceFeatures() {
        return NetFeatures.offered(config.mtu() != 0, config.mergeable());
    }

    @Override
    public boolean acceptFeatures(long driverFeatures) {
        String wrong = NetFeatures.violation(driverFeatures);
        if (wrong != null) {
            LOG.warn("{}: the driver acknowledged {} (virtio 1.2, 5.1.3.1); "
                    + "refusing FEATURES_OK", id, wrong);
            return false;
        }
        return true;
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
        return NetConfigSpace.SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        space.read(offset, data);
    }

    @Override
    public void activate(VirtioActivation activation) {
        long features = activation.features();
        try {
            tap.setOffload(NetFeatures.tunOffloads(features));
        } catch (IOException e) {
            activation.needsReset("cannot enable the receive offloads the driver asked for: " + e.getMessage());
            return;
        }
        VirtioQueue rx = activation.queue(RX);
        VirtioQueue tx = activation.queue(TX);
        if (rx.enabled()) {
            activation.startWorker("net-rx", new RxWorker(tap, rx, features, config.effectiveMtu()));
        }
        if (tx.enabled()) {
            activation.startWorker("net-tx", new TxWorker(tap, tx));
        }
    }

    @Override
    public boolean snapshottable() {
        return true;
    }

    @Override
    public byte[] saveState() {
        return NetState.of(config).encode();
    }

    @Override
    public void restoreState(byte[] state) throws io.jvmm.spi.Snapshottable.StateException {
        String mismatch = NetState.decode(state).mismatch(NetState.of(config));
        if (mismatch != null) {
            throw new io.jvmm.spi.Snapshottable.StateException(mismatch);
        }
    }

    @Override
    public void reset() {
        // Until the next negotiation the host must hand us only plain, checksummed frames.
        try {
            tap.setOffload(0);
        } catch (IOException e) {
            LOG.warn("{}: {}", id, e.getMessage());
        }
    }

    @Override
    public void close() {
        tap.close();
    }

    @Override
    public String toString() {
        return "virtio-net " + id + " (" + tap + ", mac " + config.mac() + ")";
    }
}

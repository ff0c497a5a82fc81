package io.jvmm.virtio.pci;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.StateCodec;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.queue.QueueState;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A virtio PCI function's state for a snapshot, as plain data (the {@code ComponentState}
 * payload, version {@value #VERSION}). Decoded from untrusted bytes and checked against the
 * device it is restored into by {@link VirtioPciDevice#restoreState} before anything changes.
 *
 * @param config          the 256 bytes of PCI config space (command register, MSI-X control,
 *                        the VIRTIO_PCI_CAP_PCI_CFG window, interrupt line, ...)
 * @param barRegister     the 64-bit BAR as the guest programmed it
 * @param barAddress      where the BAR was mapped
 * @param msixEntries     the MSI-X table, 4 dwords per entry (PCI 3.0, 6.8.2)
 * @param msixPending     the pending-bit array
 * @param status          device status (virtio 1.2, 2.1)
 * @param generation      config_generation
 * @param deviceFeatureSelect device_feature_select
 * @param driverFeatureSelect driver_feature_select
 * @param offeredFeatures what the device offered (checked against what it offers now)
 * @param driverFeatures  what the driver acknowledged
 * @param queueSelect     queue_select
 * @param configVector    the MSI-X vector of config changes
 * @param isr             the ISR status bits not yet read
 * @param queues          per queue: its configuration and indices, interrupt state and vector
 * @param device          the device's own record ({@link io.jvmm.virtio.VirtioDevice#saveState()})
 */
record VirtioPciState(byte[] config, long barRegister, long barAddress, int[][] msixEntries, BitSet msixPending,
                      int status, int generation, int deviceFeatureSelect, int driverFeatureSelect,
                      long offeredFeatures, long driverFeatures, int queueSelect, int configVector, int isr,
                      List<Queue> queues, byte[] device) {
    static final int VERSION = 1;
    private static final String WHAT = "virtio PCI state";
    /** More queues or vectors than any device here can have: a corrupt count, not a big device. */
    private static final int MAX_COUNT = 4096;

    /**
     * One queue.
     *
     * @param state         as the driver configured it, with the device's next-avail (rewound to
     *                      the oldest chain not completed) and next-used indices
     * @param signalledUsed the used index the driver was last interrupted for (event-idx state)
     * @param vector        its MSI-X vector
     */
    record Queue(QueueState state, int signalledUsed, int vector) {
    }

    byte[] encode() {
        StateCodec.Writer w = new StateCodec.Writer();
        w.putBytes(config).putLong(barRegister).putLong(barAddress);
        w.putInt(msixEntries.length);
        for (int[] e : msixEntries) {
            for (int word : e) {
                w.putInt(word);
            }
        }
        w.putBytes(msixPending.toByteArray());
        w.putInt(status).putInt(generation).putInt(deviceFeatureSelect).putInt(driverFeatureSelect)
                .putLong(offeredFeatures).putLong(driverFeatures).putInt(queueSelect).putInt(configVector).putInt(isr);
        w.putInt(queues.size());
        for (Queue q : queues) {
            QueueState s = q.state();
            w.putInt(s.size()).putBoolean(s.ready()).putLong(s.descTable()).putLong(s.availRing())
                    .putLong(s.usedRing()).putInt(s.nextAvail()).putInt(s.nextUsed()).putInt(q.signalledUsed())
                    .putInt(q.vector());
        }
        w.putBytes(device);
        return w.toByteArray();
    }

    static VirtioPciState decode(int version, byte[] payload) throws StateException {
        if (version != VERSION) {
            throw new StateException(WHAT + " version " + version + ", this jvmm reads version " + VERSION);
        }
        StateCodec.Reader r = new StateCodec.Reader(WHAT, payload);
        byte[] config = r.getBytes("config space");
        long barRegister = r.getLong("BAR");
        long barAddress = r.getLong("BAR address");
        int entries = count(r.getInt("MSI-X table size"), "MSI-X table size");
        int[][] msix = new int[entries][4];
        for (int[] e : msix) {
            for (int i = 0; i < 4; i++) {
                e[i] = r.getInt("MSI-X entry");
            }
        }
        BitSet pending = BitSet.valueOf(r.getBytes("MSI-X PBA"));
        int status = r.getInt("status");
        int generation = r.getInt("config generation");
        int dfs = r.getInt("device feature select");
        int drfs = r.getInt("driver feature select");
        long offered = r.getLong("offered features");
        long driver = r.getLong("driver features");
        int queueSelect = r.getInt("queue select");
        int configVector = r.getInt("config vector");
        int isr = r.getInt("ISR");
        int n = count(r.getInt("queue count"), "queue count");
        List<Queue> queues = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int size = r.getInt("queue size");
            boolean ready = r.getBoolean("queue enable");
            QueueState s = new QueueState(size, ready, r.getLong("descriptor table"), r.getLong("available ring"),
                    r.getLong("used ring"), r.getInt("next avail"), r.getInt("next used"));
            queues.add(new Queue(s, r.getInt("signalled used"), r.getInt("queue vector")));
        }
        byte[] device = r.getBytes("device state");
        r.end();
        return new VirtioPciState(config, barRegister, barAddress, msix, pending, status, generation, dfs, drfs, offered,
                driver, queueSelect, configVector, isr, List.copyOf(queues), device);
    }

    /**
     * What makes this state unusable for a device that offers {@code offered} features, has
     * queues of at most {@code maxSizes} entries and an MSI-X table of {@code msixSize} entries
     * ({@code validVector} says which vectors it takes), in {@code memory}; null when it fits.
     */
    String problem(long offered, int[] maxSizes, IntPredicate validVector, int msixSize, GuestMemory memory) {
        if (queues.size() != maxSizes.length) {
            return "the snapshot has " + queues.size() + " queues, this device has " + maxSizes.length;
        }
        if (offeredFeatures != offered) {
            return String.format("the device offers features 0x%x now, 0x%x when the snapshot was taken "
                    + "(its settings changed)", offered, offeredFeatures);
        }
        if ((driverFeatures & ~offered) != 0) {
            return String.format("driver features 0x%x were never offered", driverFeatures & ~offered);
        }
        String statusProblem = statusProblem();
        if (statusProblem != null) {
            return statusProblem;
        }
        if (queueSelect < 0 || queueSelect > 0xffff) {
            return "queue_select " + queueSelect;
        }
        if ((isr & ~(VirtioInterrupts.ISR_QUEUE | VirtioInterrupts.ISR_CONFIG)) != 0) {
            return "ISR 0x" + Integer.toHexString(isr);
        }
        if (!validVector.test(configVector)) {
            return "config MSI-X vector " + configVector + " (the table has " + msixSize + " entries)";
        }
        for (int i = 0; i < maxSizes.length; i++) {
            Queue q = queues.get(i);
            String problem = q.state().problem(maxSizes[i], memory);
            if (problem != null) {
                return "queue " + i + ": " + problem;
            }
            if (q.signalledUsed() < 0 || q.signalledUsed() > 0xffff) {
                return "queue " + i + ": signalled used index " + q.signalledUsed();
            }
            if (!validVector.test(q.vector())) {
                return "queue " + i + ": MSI-X vector " + q.vector() + " (the table has " + msixSize + " entries)";
            }
        }
        return null;
    }

    /** The device status must be one the state machine can reach (virtio 1.2, 3.1.1). */
    private String statusProblem() {
        int known = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK
                | DeviceStatus.DEVICE_NEEDS_RESET | DeviceStatus.FAILED;
        if ((status & ~known) != 0) {
            return "device status 0x" + Integer.toHexString(status) + " has unknown bits";
        }
        if ((status & DeviceStatus.DRIVER_OK) != 0 && (status & DeviceStatus.FEATURES_OK) == 0) {
            return "device status 0x" + Integer.toHexString(status) + " has DRIVER_OK without FEATURES_OK";
        }
        if ((status & DeviceStatus.FEATURES_OK) != 0
                && (driverFeatures & VirtioFeatures.bit(VirtioFeatures.VERSION_1)) == 0) {
            return "FEATURES_OK without VIRTIO_F_VERSION_1";
        }
        return null;
    }

    private static int count(int n, String what) throws StateException {
        if (n < 0 || n > MAX_COUNT) {
            throw new StateException(WHAT + ": " + what + " " + n);
        }
        return n;
    }
}

package io.jvmm.testkit;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Java model of Linux's virtio_pci_modern driver (drivers/virtio/virtio_pci_modern{,_dev}.c
 * and virtio.c), using only what a guest has: config-space registers and BAR accesses. BAR
 * writes go first to the "KVM" ioeventfds, then to the device, as on the MMIO exit path.
 */
public final class ModernVirtioDriver {
    /** A virtio_pci_cap as the driver finds it (virtio 1.2, 4.1.4). */
    public record VirtioCap(int at, int type, int bar, long offset, long length) { }

    public static final int MSIX_ADDRESS = 0xfee0_0000;
    public static final int NO_VECTOR = 0xffff;
    // virtio_pci_cap.cfg_type (4.1.4)
    public static final int COMMON_CFG = 1;
    public static final int NOTIFY_CFG = 2;
    public static final int ISR_CFG = 3;
    public static final int DEVICE_CFG = 4;
    public static final int PCI_CFG = 5;
    // device status (2.1)
    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int DEVICE_NEEDS_RESET = 64;
    public static final int FAILED = 128;

    private final PciDevice device;
    private final RecordingIoEvents kvm;
    private final GuestMemory memory;
    private PciBar bar;
    public final Map<Integer, VirtioCap> caps = new HashMap<>();
    public final List<Integer> capIds = new ArrayList<>();
    public int msixCap;
    public int msixTableSize;
    public long msixTable;
    public long msixPba;
    public int notifyMultiplier;
    public long barSize;
    public long barBase;

    public ModernVirtioDriver(PciDevice device, RecordingIoEvents kvm, PciBarAllocator allocator, GuestMemory memory) {
        this.device = device;
        this.kvm = kvm;
        this.memory = memory;
        this.bar = device.allocateBars(allocator).get(0);
    }

    public PciBar bar() {
        return bar;
    }

    /**
     * This driver, carried over to {@code restored}: the same guest after its VM was restored into
     * a new VMM process. The VMM places the BAR ({@code allocator}) before restoring the device's
     * state; what the driver found at probe carries over and nothing is set up again.
     */
    public ModernVirtioDriver continueWith(PciDevice restored, RecordingIoEvents newKvm, PciBarAllocator allocator) {
        ModernVirtioDriver d = new ModernVirtioDriver(restored, newKvm, allocator, memory);
        d.caps.putAll(caps);
        d.capIds.addAll(capIds);
        d.msixCap = msixCap;
        d.msixTableSize = msixTableSize;
        d.msixTable = msixTable;
        d.msixPba = msixPba;
        d.notifyMultiplier = notifyMultiplier;
        d.barSize = barSize;
        d.barBase = barBase;
        return d;
    }

    // ---- config space

    public int config(int offset, int width) {
        int reg = device.readConfigRegister(offset / 4);
        int shift = 8 * (offset % 4);
        return width == 4 ? reg : (reg >>> shift) & ((1 << (8 * width)) - 1);
    }

    public PciDevice.BarReprogram writeConfig(int offset, int width, int value) {
        byte[] data = new byte[width];
        for (int i = 0; i < width; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
        PciDevice.BarReprogram moved = device.writeConfigRegister(offset / 4, offset % 4, data);
        if (moved != null) {
            // What the VMM's PCI root does: move the range, then tell the device.
            bar = new PciBar(moved.bar().index(), moved.newAddress(), moved.bar().size(), moved.bar().type(),
                    moved.bar().prefetchable());
            device.moveBar(moved.bar(), moved.newAddress());
        }
        return moved;
    }

    /**
     * pci_read_bases + virtio_pci_find_capability: size BAR 0, walk the capability list, keep
     * the first virtio capability of each type, find MSI-X, enable memory decoding and bus
     * mastering.
     */
    public void probe() {
        if (config(0x00, 2) != 0x1af4 || config(0x02, 2) < 0x1040) {
            throw new IllegalStateException("not a modern virtio device");
        }
        sizeBar();
        if ((config(0x06, 2) & 0x10) == 0) {
            throw new IllegalStateException("no capability list");
        }
        int at = config(0x34, 1) & ~3;
        int guard = 0;
        while (at != 0 && guard++ < 48) {
            int id = config(at, 1);
            capIds.add(id);
            if (id == 0x09) {
                int type = config(at + 3, 1);
                caps.putIfAbsent(type, new VirtioCap(at, type, config(at + 4, 1), config(at + 8, 4) & 0xffff_ffffL,
                        config(at + 12, 4) & 0xffff_ffffL));
            } else if (id == 0x11) {
                msixCap = at;
                msixTableSize = (config(at + 2, 2) & 0x7ff) + 1;
                msixTable = config(at + 4, 4) & ~7L & 0xffff_ffffL;
                msixPba = config(at + 8, 4) & ~7L & 0xffff_ffffL;
            }
            at = config(at + 1, 1) & ~3;
        }
        for (int required : new int[] {COMMON_CFG, ISR_CFG, NOTIFY_CFG}) {
            if (!caps.containsKey(required)) {
                throw new IllegalStateException("missing virtio capability " + required);
            }
        }
        notifyMultiplier = config(caps.get(NOTIFY_CFG).at() + 16, 4);
        writeConfig(0x04, 2, config(0x04, 2) | 0x6);
    }

    /** PCI 3.0, 6.2.5.1: decode off, write all-ones, read the mask, restore, for both dwords. */
    private void sizeBar() {
        int command = config(0x04, 2);
        writeConfig(0x04, 2, command & ~0x3);
        int low = config(0x10, 4);
        if ((low & 0x7) != 0x4) {
            throw new IllegalStateException("BAR 0 is not a 64-bit memory BAR");
        }
        int high = config(0x14, 4);
        writeConfig(0x10, 4, -1);
        int lowMask = config(0x10, 4);
        writeConfig(0x10, 4, low);
        writeConfig(0x14, 4, -1);
        int highMask = config(0x14, 4);
        writeConfig(0x14, 4, high);
        writeConfig(0x04, 2, command);
        long mask = ((long) highMask << 32) | (lowMask & ~0xfL & 0xffff_ffffL);
        barSize = -mask;
        barBase = ((long) high << 32) | (low & ~0xfL & 0xffff_ffffL);
    }

    // ---- MSI-X (drivers/pci/msi/msi.c: msix_capability_init)

    public void enableMsix() {
        int control = config(msixCap + 2, 2);
        writeConfig(msixCap + 2, 2, control | 0x8000 | 0x4000); // enable, function-masked while programming
        for (int v = 0; v < msixTableSize; v++) {
            programVector(v, false);
        }
        writeConfig(msixCap + 2, 2, config(msixCap + 2, 2) & ~0x4000);
    }

    public void programVector(int vector, boolean masked) {
        long entry = msixTable + 16L * vector;
        write(entry, 4, MSIX_ADDRESS | vector << 12);
        write(entry + 4, 4, 0);
        write(entry + 8, 4, 0x4000 | (0x30 + vector));
        write(entry + 12, 4, masked ? 1 : 0);
    }

    public void maskVector(int vector, boolean masked) {
        write(msixTable + 16L * vector + 12, 4, masked ? 1 : 0);
    }

    public void functionMask(boolean masked) {
        int control = config(msixCap + 2, 2);
        writeConfig(msixCap + 2, 2, masked ? control | 0x4000 : control & ~0x4000);
    }

    public boolean pending(int vector) {
        return (read(msixPba + vector / 8, 1) >>> (vector % 8) & 1) != 0;
    }

    // ---- BAR access

    public long read(long offset, int width) {
        byte[] data = new byte[width];
        device.readBar(bar, offset, data);
        long v = 0;
        for (int i = 0; i < width; i++) {
            v |= (data[i] & 0xffL) << (8 * i);
        }
        return v;
    }

    public void write(long offset, int width, long value) {
        if (kvm.guestWrite(bar.address() + offset, width)) {
            return;
        }
        byte[] data = new byte[width];
        for (int i = 0; i < width; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
        device.writeBar(bar, offset, data);
    }

    public long common(int field, int width) {
        return read(caps.get(COMMON_CFG).offset() + field, width);
    }

    public void common(int field, int width, long value) {
        write(caps.get(COMMON_CFG).offset() + field, width, value);
    }

    // ---- virtio core (drivers/virtio/virtio.c)

    public int status() {
        return (int) common(0x14, 1);
    }

    public void setStatus(int bits) {
        common(0x14, 1, status() | bits);
    }

    /** vp_reset: write 0, then wait for the device to read back 0. */
    public void reset() {
        common(0x14, 1, 0);
        for (int i = 0; status() != 0; i++) {
            if (i > 1000) {
                throw new IllegalStateException("device did not reset");
            }
        }
    }

    public long deviceFeatures() {
        common(0x00, 4, 0);
        long low = common(0x04, 4);
        common(0x00, 4, 1);
        return low | common(0x04, 4) << 32;
    }

    public void writeDriverFeatures(long features) {
        common(0x08, 4, 0);
        common(0x0c, 4, features & 0xffff_ffffL);
        common(0x08, 4, 1);
        common(0x0c, 4, features >>> 32);
    }

    /** virtio_dev_probe up to FEATURES_OK: returns the acked features, or -1 when the device refused. */
    public long negotiate(long wanted) {
        reset();
        setStatus(ACKNOWLEDGE);
        setStatus(DRIVER);
        long acked = deviceFeatures() & wanted;
        writeDriverFeatures(acked);
        setStatus(FEATURES_OK);
        return (status() & FEATURES_OK) != 0 ? acked : -1;
    }

    /** vp_modern_find_vqs/setup_vq for one queue; returns the ring or null when the device refuses. */
    public DriverRing setupQueue(int index, int wantedSize, long base, int vector) {
        common(0x16, 2, index);
        int max = (int) common(0x18, 2);
        if (max == 0 || common(0x1c, 2) != 0) {
            return null;
        }
        int size = Math.min(max, wantedSize);
        common(0x18, 2, size);
        DriverRing ring = DriverRing.at(memory, size, base);
        writeAddress(0x20, ring.descTable());
        writeAddress(0x28, ring.availRing());
        writeAddress(0x30, ring.usedRing());
        common(0x1a, 2, vector);
        if (vector != NO_VECTOR && common(0x1a, 2) == NO_VECTOR) {
            throw new IllegalStateException("device refused MSI-X vector " + vector + " for queue " + index);
        }
        return ring;
    }

    private void writeAddress(int field, long address) {
        common(field, 4, address & 0xffff_ffffL);
        common(field + 4, 4, address >>> 32);
    }

    public void enableQueue(int index) {
        common(0x16, 2, index);
        common(0x1c, 2, 1);
    }

    public boolean setConfigVector(int vector) {
        common(0x10, 2, vector);
        return common(0x10, 2) == vector;
    }

    public void driverOk() {
        setStatus(DRIVER_OK);
    }

    /** vp_notify: a 16-bit write of the queue index at its notify address. */
    public void kick(int queue) {
        common(0x16, 2, queue);
        long off = common(0x1e, 2);
        write(caps.get(NOTIFY_CFG).offset() + off * notifyMultiplier, 2, queue);
    }

    /** A notify write KVM's 2-byte ioeventfd does not match, so it takes the MMIO exit. */
    public void kickThroughMmioExit(int queue) {
        common(0x16, 2, queue);
        long off = common(0x1e, 2);
        write(caps.get(NOTIFY_CFG).offset() + off * notifyMultiplier, 4, queue);
    }

    public long deviceConfig(int offset, int width) {
        return read(caps.get(DEVICE_CFG).offset() + offset, width);
    }

    public int readIsr() {
        return (int) read(caps.get(ISR_CFG).offset(), 1);
    }

}

package io.jvmm.virtio.pci;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommands;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.MsiVector;
import io.jvmm.spi.Pausable;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.Snapshottable;
import io.jvmm.virtio.VirtioDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A modern (virtio 1.x, non-transitional) virtio PCI function wrapping a {@link VirtioDevice}
 * (virtio 1.2, 4.1): what a virtio {@link io.jvmm.spi.DeviceFactory} returns.
 *
 * <p>Vendor 0x1af4, device 0x1040 + virtio type, revision 1 (4.1.2.1). One 64-bit memory BAR
 * of 512 KiB holds the common config, ISR, device config, notify area, MSI-X table and PBA
 * ({@link BarLayout}); vendor capabilities point at each, and VIRTIO_PCI_CAP_PCI_CFG gives a
 * window into the BAR through config space (4.1.4.9). One MSI-X entry per queue plus one for
 * config changes.
 *
 * <p>Pause stops the device's workers at a request boundary (see {@link VirtioDevice}); a
 * snapshot saves config space, BAR, MSI-X table, the transport's registers and queues, and the
 * device's own record as a {@link VirtioPciState}; restore checks all of it, then brings a device
 * the driver had running back up with its queues where they were.
 */
public final class VirtioPciDevice implements PciDevice, Pausable, Snapshottable, DeviceCommands {
    private static final Logger log = LoggerFactory.getLogger(VirtioPciDevice.class);
    private static final int VENDOR = 0x1af4;
    private static final int DEVICE_BASE = 0x1040;
    /** QEMU's subsystem ids for modern virtio functions (PCI_SUBVENDOR_ID_REDHAT_QUMRANET / QEMU). */
    private static final int SUBSYSTEM_VENDOR = 0x1af4;
    private static final int SUBSYSTEM = 0x1100;
    private static final int BAR_LOW_REG = ConfigSpace.BAR0 / 4;
    private static final int BAR_HIGH_REG = BAR_LOW_REG + 1;
    /** Memory BAR, 64-bit (PCI 3.0, 6.2.5.1 bits 2:1 = 10b). */
    private static final int BAR_TYPE_64 = 0b100;
    private static final int PCI_CFG_DATA_REG = (Capabilities.PCI_CFG_AT + Capabilities.CAP_EXTRA) / 4;

    private final String id;
    private final VirtioDevice device;
    private final ConfigSpace config = new ConfigSpace();
    private final VirtioInterrupts interrupts;
    private final VirtioTransport transport;
    /** The BAR address the guest programmed (the size mask while it sizes the BAR). */
    private long barRegister;
    /**
     * Whether the guest's last write to the BAR's low, high dword was all-ones: the sizing
     * probe (PCI Local Bus 3.0, 6.2.5.1). Only a write says so; a value that merely reads like
     * the size mask (low dword 0xFFF80000) is an address.
     */
    private boolean sizingLow;
    private boolean sizingHigh;
    /** Where the VMM has the BAR mapped. */
    private volatile long barAddress;

    /**
     * @param id      the device id (from the config)
     * @param device  the device half
     * @param context the VMM's context for this device
     * @throws IllegalArgumentException when the device has more queues than the notify area holds
     */
    public VirtioPciDevice(String id, VirtioDevice device, DeviceContext context) {
        this.id = Objects.requireNonNull(id, "id");
        this.device = Objects.requireNonNull(device, "device");
        int queues = device.queueCount();
        if (queues < 1 || queues > BarLayout.MAX_QUEUES) {
            throw new IllegalArgumentException("a virtio device needs 1.." + BarLayout.MAX_QUEUES + " queues, not " + queues);
        }
        if (device.configSize() < 0 || device.configSize() > BarLayout.DEVICE_SIZE) {
            throw new IllegalArgumentException("device config space of " + device.configSize() + " bytes");
        }
        List<MsiVector> vectors = new ArrayList<>();
        for (int i = 0; i <= queues; i++) {
            vectors.add(context.interrupts().allocateMsi());
        }
        this.interrupts = new VirtioInterrupts(new MsixTable(vectors), context.interrupts().intx(), queues);
        this.transport = new VirtioTransport(device, context, interrupts, () -> barAddress + BarLayout.NOTIFY);
        buildHeader(device.deviceType());
        Capabilities.install(config, queues + 1, device.configSize() > 0);
    }

    private void buildHeader(int type) {
        config.set(ConfigSpace.VENDOR_ID, 2, VENDOR);
        config.set(ConfigSpace.DEVICE_ID, 2, DEVICE_BASE + type);
        config.set(ConfigSpace.REVISION_ID, 1, 1);
        PciClass pciClass = PciClass.of(type);
        config.set(ConfigSpace.CLASS_CODE, 1, pciClass.base());
        config.set(ConfigSpace.SUBCLASS, 1, pciClass.subclass());
        config.set(ConfigSpace.HEADER_TYPE, 1, 0);
        config.set(ConfigSpace.SUBSYSTEM_VENDOR_ID, 2, SUBSYSTEM_VENDOR);
        config.set(ConfigSpace.SUBSYSTEM_ID, 2, SUBSYSTEM);
        config.set(ConfigSpace.INTERRUPT_PIN, 1, 1); // INTA#
        config.setWritable(ConfigSpace.INTERRUPT_LINE, 1, 0xff);
        config.setWritable(ConfigSpace.COMMAND, 2,
                ConfigSpace.COMMAND_MEMORY | ConfigSpace.COMMAND_BUS_MASTER | ConfigSpace.COMMAND_INTX_DISABLE);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized List<PciBar> allocateBars(PciBarAllocator allocator) {
        long address = allocator.allocate(PciBar.Type.MMIO64, BarLayout.BAR_SIZE);
        barRegister = address;
        barAddress = address;
        return List.of(bar());
    }

    private PciBar bar() {
        return new PciBar(BarLayout.BAR_INDEX, barAddress, BarLayout.BAR_SIZE, PciBar.Type.MMIO64, false);
    }

    @Override
    public synchronized int readConfigRegister(int reg) {
        if (reg == BAR_LOW_REG) {
            return (int) (barRegister & -BarLayout.BAR_SIZE) | BAR_TYPE_64;
        }
        if (reg == BAR_HIGH_REG) {
            return (int) (barRegister >>> 32);
        }
        if (reg == PCI_CFG_DATA_REG) {
            pciCfgRead();
        }
        return config.readRegister(reg);
    }

    @Override
    public synchronized BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
        if (reg == BAR_LOW_REG || reg == BAR_HIGH_REG) {
            return writeBarRegister(reg, offset, data);
        }
        config.write(reg, offset, data);
        int at = reg * 4 + offset;
        if (overlaps(at, data.length, ConfigSpace.COMMAND, 2)) {
            interrupts.setIntxDisabled((config.get(ConfigSpace.COMMAND, 2) & ConfigSpace.COMMAND_INTX_DISABLE) != 0);
        } else if (overlaps(at, data.length, Capabilities.MSIX_CONTROL, 2)) {
            int control = config.get(Capabilities.MSIX_CONTROL, 2);
            interrupts.msix().setControl((control & Capabilities.MSIX_ENABLE) != 0,
                    (control & Capabilities.MSIX_FUNCTION_MASK) != 0);
        } else if (reg == PCI_CFG_DATA_REG) {
            pciCfgWrite();
        }
        return null;
    }

    private static boolean overlaps(int at, int length, int start, int size) {
        return at < start + size && start < at + length;
    }

    /**
     * The 64-bit BAR's two dwords. Writing all-ones is the sizing probe (PCI Local Bus 3.0,
     * 6.2.5.1): that dword reads back the size mask and nothing moves until the guest has
     * written an address to it again. Once neither dword is being probed, a value that leaves
     * the BAR somewhere else than where the VMM has it is a move.
     */
    private BarReprogram writeBarRegister(int reg, int offset, byte[] data) {
        int shift = reg == BAR_LOW_REG ? 0 : 32;
        int word = (int) (barRegister >>> shift);
        for (int i = 0; i < data.length && offset + i < 4; i++) {
            int s = 8 * (offset + i);
            word = word & ~(0xff << s) | (data[i] & 0xff) << s;
        }
        boolean probe = word == -1;
        if (reg == BAR_LOW_REG) {
            sizingLow = probe;
        } else {
            sizingHigh = probe;
        }
        long value = barRegister & ~(0xffff_ffffL << shift) | (word & 0xffff_ffffL) << shift;
        barRegister = value & -BarLayout.BAR_SIZE;
        if (sizingLow || sizingHigh || barRegister == barAddress) {
            return null;
        }
        return new BarReprogram(bar(), barRegister);
    }

    @Override
    public synchronized List<PciBar> restoredBars() {
        return List.of(bar());
    }

    /** A virtio device's own runtime commands, when it offers any (the transport has none of its own). */
    @Override
    public List<DeviceCommand> commands() {
        return device instanceof DeviceCommands offering ? offering.commands() : List.of();
    }

    @Override
    public synchronized void moveBar(PciBar moved, long newBase) {
        if (moved.address() != barAddress) {
            return;
        }
        barAddress = newBase;
        transport.notifyBaseMoved();
    }

    @Override
    public void readBar(PciBar bar, long offset, byte[] data) {
        if (bar.index() != BarLayout.BAR_INDEX) {
            return;
        }
        try {
            readBar(offset, data);
        } catch (RuntimeException e) {
            log.error(id + ": BAR read at 0x" + Long.toHexString(offset) + " failed", e);
        }
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
        if (bar.index() != BarLayout.BAR_INDEX) {
            return;
        }
        try {
            writeBar(offset, data);
        } catch (RuntimeException e) {
            log.error(id + ": BAR write at 0x" + Long.toHexString(offset) + " failed", e);
        }
    }

    private void readBar(long offset, byte[] data) {
        int len = data.length;
        java.util.Arrays.fill(data, (byte) 0);
        if (BarLayout.within(offset, len, BarLayout.COMMON, BarLayout.COMMON_SIZE)) {
            transport.readCommon(offset - BarLayout.COMMON, data);
        } else if (BarLayout.within(offset, 1, BarLayout.ISR, BarLayout.ISR_SIZE)) {
            data[0] = (byte) interrupts.readIsr();
        } else if (BarLayout.within(offset, len, BarLayout.DEVICE, BarLayout.DEVICE_SIZE)) {
            int at = (int) (offset - BarLayout.DEVICE);
            if (at + len <= device.configSize()) {
                device.readConfig(at, data);
            }
        } else if (BarLayout.within(offset, len, BarLayout.MSIX_TABLE, BarLayout.MSIX_TABLE_SIZE)) {
            interrupts.msix().readTable(offset - BarLayout.MSIX_TABLE, data);
        } else if (BarLayout.within(offset, len, BarLayout.MSIX_PBA, BarLayout.MSIX_PBA_SIZE)) {
            interrupts.msix().readPba(offset - BarLayout.MSIX_PBA, data);
        }
    }

    private void writeBar(long offset, byte[] data) {
        int len = data.length;
        if (BarLayout.within(offset, len, BarLayout.COMMON, BarLayout.COMMON_SIZE)) {
            transport.writeCommon(offset - BarLayout.COMMON, data);
        } else if (BarLayout.within(offset, len, BarLayout.DEVICE, BarLayout.DEVICE_SIZE)) {
            int at = (int) (offset - BarLayout.DEVICE);
            if (at + len <= device.configSize()) {
                device.writeConfig(at, data);
            }
        } else if (BarLayout.within(offset, len, BarLayout.NOTIFY, BarLayout.NOTIFY_SIZE)) {
            // 4.1.4.4: the queue is named by the address; the value (the queue index) is not needed.
            transport.kick((int) ((offset - BarLayout.NOTIFY) / BarLayout.NOTIFY_OFF_MULTIPLIER));
        } else if (BarLayout.within(offset, len, BarLayout.MSIX_TABLE, BarLayout.MSIX_TABLE_SIZE)) {
            interrupts.msix().writeTable(offset - BarLayout.MSIX_TABLE, data);
        }
        // ISR and PBA are read-only.
    }

    /** 4.1.4.9.1: a read of pci_cfg_data reads cap.length bytes at cap.offset of BAR cap.bar. */
    private void pciCfgRead() {
        int length = pciCfgLength();
        if (length == 0) {
            return;
        }
        byte[] data = new byte[length];
        readBar(config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_OFFSET, 4) & 0xffff_ffffL, data);
        int value = 0;
        for (int i = 0; i < length; i++) {
            value |= (data[i] & 0xff) << (8 * i);
        }
        config.set(Capabilities.PCI_CFG_AT + Capabilities.CAP_EXTRA, 4, value);
    }

    /** 4.1.4.9.1: a write of pci_cfg_data writes its first cap.length bytes at cap.offset of BAR cap.bar. */
    private void pciCfgWrite() {
        int length = pciCfgLength();
        if (length == 0) {
            return;
        }
        int value = config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_EXTRA, 4);
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
        writeBar(config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_OFFSET, 4) & 0xffff_ffffL, data);
    }

    /** cap.length when the window is usable (our BAR, 1/2/4 bytes, naturally aligned), else 0. */
    private int pciCfgLength() {
        int bar = config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_BAR, 1);
        int length = config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_LENGTH, 4);
        long offset = config.get(Capabilities.PCI_CFG_AT + Capabilities.CAP_OFFSET, 4) & 0xffff_ffffL;
        boolean ok = bar == BarLayout.BAR_INDEX && (length == 1 || length == 2 || length == 4)
                && offset % length == 0 && offset + length <= BarLayout.BAR_SIZE;
        return ok ? length : 0;
    }

    @Override
    public void pause() {
        transport.suspend();
    }

    @Override
    public void resume() {
        transport.resume();
    }

    @Override
    public String snapshotId() {
        return id;
    }

    /**
     * @throws IllegalStateException when the device half cannot be snapshotted or the device is
     *                               not paused
     */
    @Override
    public synchronized ComponentState saveState() {
        if (!device.snapshottable()) {
            throw new IllegalStateException(device + " does not support snapshots");
        }
        VirtioPciState state = transport.save(config.bytes(), barRegister, barAddress, device.saveState());
        return new ComponentState(id, VirtioPciState.VERSION, state.encode());
    }

    @Override
    public synchronized void restoreState(ComponentState saved) throws StateException {
        if (!device.snapshottable()) {
            throw new StateException(device + " does not support snapshots");
        }
        VirtioPciState s = VirtioPciState.decode(saved.version(), saved.payload());
        if (s.config().length != ConfigSpace.SIZE) {
            throw new StateException("config space of " + s.config().length + " bytes, not " + ConfigSpace.SIZE);
        }
        int mismatch = config.readOnlyMismatch(s.config());
        if (mismatch >= 0) {
            throw new StateException(String.format("read-only config space byte 0x%02x is 0x%02x in the snapshot, "
                    + "0x%02x here: not a snapshot of this kind of device", mismatch, s.config()[mismatch] & 0xff,
                    config.bytes()[mismatch] & 0xff));
        }
        // The guest may have moved the BAR (PCI Local Bus 3.0, 6.2.5.1); the VMM puts it back there
        // (restoredBars). Only a naturally aligned 64-bit address is a place a BAR can be.
        if (s.barAddress() == 0 || (s.barAddress() & (BarLayout.BAR_SIZE - 1)) != 0) {
            throw new StateException(String.format("its BAR address 0x%x in the snapshot is not a naturally aligned "
                    + "place for a 0x%x-byte BAR", s.barAddress(), BarLayout.BAR_SIZE));
        }
        if (s.msixEntries().length != interrupts.msix().size()) {
            throw new StateException("MSI-X table of " + s.msixEntries().length + " entries, this device has "
                    + interrupts.msix().size());
        }
        String problem = transport.restoreProblem(s);
        if (problem != null) {
            throw new StateException(problem);
        }
        device.restoreState(s.device());
        config.restore(s.config());
        barRegister = s.barRegister() & -BarLayout.BAR_SIZE;
        barAddress = s.barAddress(); // before the transport registers its doorbells there
        // A probe caught by the snapshot ends when the guest writes the address back, as it does.
        sizingLow = false;
        sizingHigh = false;
        int control = config.get(Capabilities.MSIX_CONTROL, 2);
        interrupts.msix().restore(s.msixEntries(), s.msixPending(), (control & Capabilities.MSIX_ENABLE) != 0,
                (control & Capabilities.MSIX_FUNCTION_MASK) != 0);
        transport.restore(s, (config.get(ConfigSpace.COMMAND, 2) & ConfigSpace.COMMAND_INTX_DISABLE) != 0);
    }

    @Override
    public void close() {
        try {
            transport.close();
        } finally {
            try {
                device.close();
            } finally {
                interrupts.msix().close();
            }
        }
    }
}

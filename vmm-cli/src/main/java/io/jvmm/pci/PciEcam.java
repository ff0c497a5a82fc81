package io.jvmm.pci;

import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The PCI Express enhanced configuration access mechanism (ECAM, PCIe 4.0, 7.2.2) for bus 0:
 * the 4 KiB configuration space of each function is memory-mapped at
 * {@code base + (bus << 20 | device << 15 | function << 12 | register)}. The ACPI MCFG table
 * announces it with start bus 0 and end bus 0, so the window is 1 MiB.
 *
 * <p>Byte, word and dword accesses that stay inside one dword go to {@link PciRoot}; a qword
 * access aligned to 8 is split into two dword accesses (the spec leaves 8-byte accesses to
 * the platform). Anything else reads all-ones and is dropped on write.
 */
public final class PciEcam implements PlatformDevice, Snapshottable {
    private final PciRoot root;
    private final long base;
    private final long size;

    /** ECAM at {@link X86Layout#PCI_ECAM_START}, bus 0 only. */
    @Override
    public String snapshotId() {
        return id();
    }

    /** ECAM is a window onto the devices' config spaces: no state of its own. */
    @Override
    public ComponentState saveState() {
        return new ComponentState(id(), 1, new byte[0]);
    }

    @Override
    public void restoreState(ComponentState state) throws StateException {
        if (state.version() != 1 || state.payload().length != 0) {
            throw new StateException(state.id() + ": unreadable state");
        }
    }

    public PciEcam(PciRoot root) {
        this(root, X86Layout.PCI_ECAM_START, X86Layout.PCI_ECAM_SIZE);
    }

    /** @param size bytes of window: 1 MiB per bus, starting with bus 0 */
    public PciEcam(PciRoot root, long base, long size) {
        this.root = Objects.requireNonNull(root, "root");
        this.base = base;
        this.size = size;
    }

    @Override
    public String id() {
        return "pci-ecam";
    }

    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.MMIO, base, size));
    }

    @Override
    public void read(long offset, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
        if (data.length == 8 && isAccess(offset, 4) && offset % 8 == 0) {
            byte[] dword = new byte[4];
            for (int half = 0; half < 2; half++) {
                read(offset + 4L * half, dword);
                System.arraycopy(dword, 0, data, 4 * half, 4);
            }
            return;
        }
        if (!isAccess(offset, data.length)) {
            return;
        }
        int value = root.readConfig(bus(offset), device(offset), function(offset), register(offset));
        int byteOffset = (int) (offset & 3);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (value >>> (8 * (byteOffset + i)));
        }
    }

    @Override
    public void write(long offset, byte[] data) {
        if (data.length == 8 && isAccess(offset, 4) && offset % 8 == 0) {
            write(offset, Arrays.copyOfRange(data, 0, 4));
            write(offset + 4, Arrays.copyOfRange(data, 4, 8));
            return;
        }
        if (!isAccess(offset, data.length)) {
            return;
        }
        root.writeConfig(bus(offset), device(offset), function(offset), register(offset), (int) (offset & 3), data);
    }

    /** A 1, 2 or 4 byte access inside the window that does not cross a dword. */
    private boolean isAccess(long offset, int length) {
        return offset >= 0 && offset < size && (length == 1 || length == 2 || length == 4)
                && (offset & 3) + length <= 4;
    }

    private static int bus(long offset) {
        return (int) (offset >>> 20) & 0xff;
    }

    private static int device(long offset) {
        return (int) (offset >>> 15) & 0x1f;
    }

    private static int function(long offset) {
        return (int) (offset >>> 12) & 0x7;
    }

    private static int register(long offset) {
        return (int) (offset & 0xfff) >>> 2;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "PciEcam[0x" + Long.toHexString(base) + ", " + (size >> 20) + " MiB]";
    }
}

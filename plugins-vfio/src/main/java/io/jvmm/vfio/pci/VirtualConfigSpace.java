package io.jvmm.vfio.pci;

import io.jvmm.spi.PciDevice;

/**
 * The config space the guest sees: the device's own, passed through register by register,
 * except (as the seed, Cloud Hypervisor's pci/src/vfio.rs, does)
 * <ul>
 * <li>the BARs and expansion ROM, emulated by {@link GuestBars};</li>
 * <li>the MSI and MSI-X capabilities, trapped and mirrored, their changes programmed into
 *     VFIO; guest writes still reach the device afterwards;</li>
 * <li>the multi-function bit of the header type, masked: the function sits alone in its slot;</li>
 * <li>ARI, Resizable BAR and SR-IOV extended capabilities, hidden by zeroing their id;</li>
 * <li>Interrupt Line, emulated (it is only a note for the guest), and Interrupt Pin, shown as
 *     INTA when the device has INTx, since the VMM wires pin A of each slot.</li>
 * </ul>
 */
public final class VirtualConfigSpace {
    private static final int INTERRUPT_PIN_A = 1;

    private final PhysicalConfig device;
    private final GuestBars bars;
    private final MsiCapability msi;
    private final MsixCapability msix;
    private final Capabilities capabilities;
    private final int interruptPin;
    private int interruptLine;

    /**
     * @param msi  the mirrored MSI capability, or null when the device has none (or VFIO offers no MSI)
     * @param msix the mirrored MSI-X capability, or null
     * @param hasIntx whether INTx can be delivered
     */
    public VirtualConfigSpace(PhysicalConfig device, GuestBars bars, MsiCapability msi, MsixCapability msix,
                              Capabilities capabilities, boolean hasIntx) {
        this.device = device;
        this.bars = bars;
        this.msi = msi;
        this.msix = msix;
        this.capabilities = capabilities;
        int pin = device.read8(0x3d);
        this.interruptPin = hasIntx && pin != 0 ? INTERRUPT_PIN_A : 0;
    }

    /** Register {@code reg} (0-1023) as the guest sees it. */
    public int read(int reg) {
        if (GuestBars.isBarRegister(reg)) {
            return bars.read(reg);
        }
        if (msi != null && msi.covers(reg)) {
            return msi.read(reg);
        }
        if (msix != null && msix.covers(reg)) {
            return msix.read(reg);
        }
        if (reg < 0 || reg * 4 >= device.size()) {
            return 0;
        }
        int value = device.read32(reg * 4);
        if (reg == PciRegs.HEADER_TYPE_REG) {
            value &= ~PciRegs.MULTI_FUNCTION_BIT;
        } else if (reg == PciRegs.INTERRUPT_REG) {
            synchronized (this) {
                value = value & 0xffff_0000 | interruptPin << 8 | interruptLine;
            }
        } else if (capabilities.hiddenExtRegisters().contains(reg)) {
            value &= 0xffff_0000; // keep version and next pointer so the list still walks
        }
        return value;
    }

    /**
     * A guest write of {@code data} (1, 2 or 4 bytes) at byte {@code offset} of register {@code reg}.
     *
     * @return a BAR the guest moved, or null
     */
    public PciDevice.BarReprogram write(int reg, int offset, byte[] data) {
        if (GuestBars.isBarRegister(reg)) {
            return bars.write(reg, offset, data);
        }
        if (reg == PciRegs.INTERRUPT_REG) {
            if (offset == 0) {
                synchronized (this) {
                    interruptLine = data[0] & 0xff;
                }
            }
            return null; // pin, Min_Gnt and Max_Lat are read-only
        }
        // MSI/MSI-X first, so VFIO has enabled the vectors before the device sees the enable bit
        // (the seed's order: VFIO leaves the capability's enable bit clear until then).
        if (msi != null && msi.covers(reg)) {
            msi.write(reg, offset, data);
        } else if (msix != null && msix.covers(reg)) {
            msix.write(reg, offset, data);
        }
        if (reg >= 0 && reg * 4 + offset + data.length <= device.size()) {
            device.write(reg * 4 + offset, data);
        }
        return null;
    }
}

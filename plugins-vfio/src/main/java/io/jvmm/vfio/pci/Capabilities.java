package io.jvmm.vfio.pci;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the device's capabilities are: the MSI and MSI-X capabilities in the standard list
 * (PCI Local Bus 3.0, 6.7) and the extended capabilities to hide (PCIe 4.0, 7.6.3). Lists
 * come from the device, so both walks are bounded and stop on loops.
 *
 * @param msiOffset    the MSI capability, or -1
 * @param msixOffset   the MSI-X capability, or -1
 * @param pcie         whether the device has a PCI Express capability
 * @param hiddenExtRegisters config registers holding an extended capability header to hide: ARI,
 *                     Resizable BAR and SR-IOV, as the seed does (a lone passed-through function
 *                     has no siblings to route to, its BARs are sized once, and the guest cannot
 *                     create virtual functions)
 */
public record Capabilities(int msiOffset, int msixOffset, boolean pcie, Set<Integer> hiddenExtRegisters) {
    private static final int MAX_CAPS = 48;
    private static final int MAX_EXT_CAPS = (PciRegs.EXPRESS_SIZE - PciRegs.EXT_CAP_START) / 4;

    public Capabilities {
        hiddenExtRegisters = Set.copyOf(hiddenExtRegisters);
    }

    public static Capabilities find(PhysicalConfig config) {
        int msi = -1;
        int msix = -1;
        boolean pcie = false;
        if ((config.read16(PciRegs.STATUS) & PciRegs.STATUS_CAP_LIST) != 0) {
            Set<Integer> seen = new HashSet<>();
            int at = config.read8(PciRegs.CAPABILITIES_POINTER) & 0xfc;
            while (at >= 0x40 && seen.add(at) && seen.size() <= MAX_CAPS) {
                int id = config.read8(at);
                switch (id) {
                    case PciRegs.CAP_MSI -> msi = at;
                    case PciRegs.CAP_MSIX -> msix = at;
                    case PciRegs.CAP_PCIE -> pcie = true;
                    default -> { }
                }
                at = config.read8(at + 1) & 0xfc;
            }
        }
        Set<Integer> hidden = new TreeSet<>();
        if (pcie && config.size() > PciRegs.EXT_CAP_START) {
            Set<Integer> seen = new HashSet<>();
            int at = PciRegs.EXT_CAP_START;
            while (at >= PciRegs.EXT_CAP_START && at < config.size() && seen.add(at) && seen.size() <= MAX_EXT_CAPS) {
                int header = config.read32(at);
                if (header == 0 || header == -1) {
                    break;
                }
                int id = header & 0xffff;
                if (id == PciRegs.EXT_CAP_ARI || id == PciRegs.EXT_CAP_REBAR || id == PciRegs.EXT_CAP_SRIOV) {
                    hidden.add(at / 4);
                }
                at = header >>> 20 & 0xffc;
            }
        }
        return new Capabilities(msi, msix, pcie, hidden);
    }
}

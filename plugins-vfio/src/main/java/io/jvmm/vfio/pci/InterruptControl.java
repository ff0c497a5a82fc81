package io.jvmm.vfio.pci;

import java.util.List;

/**
 * Where the virtualised MSI and MSI-X capabilities report what the guest wants. Each call gives
 * the whole desired state; the receiver works out what changed. Disabling both falls back to
 * INTx (as the seed, Cloud Hypervisor's vfio.rs, does).
 */
public interface InterruptControl {
    /** The MSI capability's state: enabled or not, and one message per enabled vector. */
    void msi(boolean enabled, List<MsiMessage> vectors);

    /** The MSI-X capability's state: enabled or not, and one message per table entry. */
    void msix(boolean enabled, List<MsiMessage> vectors);
}

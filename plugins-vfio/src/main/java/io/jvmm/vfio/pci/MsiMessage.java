package io.jvmm.vfio.pci;

/**
 * What one MSI or MSI-X vector should send, as the guest programmed it.
 *
 * @param address the message address
 * @param data    the message data
 * @param masked  whether the guest masked the vector (per-vector mask, MSI-X function mask, ...)
 */
public record MsiMessage(long address, int data, boolean masked) {
    public MsiMessage asMasked() {
        return masked ? this : new MsiMessage(address, data, true);
    }
}

package io.jvmm.vm;

/**
 * This host cannot run VMs: no {@code /dev/kvm}, no permission to open it, a KVM API
 * version or capability that is missing, or a PVM host. The message says what to do.
 */
public class HostUnsupportedException extends VmException {
    public HostUnsupportedException(String message) {
        super(message);
    }

    public HostUnsupportedException(String message, Throwable cause) {
        super(message, cause);
    }
}

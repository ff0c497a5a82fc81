package io.jvmm.vm;

/** How a guest run ended without an error. */
public enum VmExit {
    /** The guest powered off (ACPI S5). */
    POWER_OFF,
    /** The user stopped the VM from the host (Ctrl-A x on the console); the guest did not shut down. */
    STOPPED_BY_USER,
    /** The guest asked for a reset (reboot): keyboard controller, ACPI reset register, port 0xCF9. */
    RESET,
    /** A vCPU triple-faulted (KVM_EXIT_SHUTDOWN); on real hardware this resets the machine. */
    TRIPLE_FAULT,
    /** The VM was snapshotted on request and then stopped (--after-snapshot exit). */
    SNAPSHOT_THEN_EXIT
}

package io.jvmm.vm;

/** How a guest run ended without an error. */
public enum VmExit {
    /** The guest powered off (ACPI S5, or the user quit from the console). */
    POWER_OFF,
    /** The guest asked for a reset (reboot): keyboard controller, ACPI reset register, port 0xCF9. */
    RESET,
    /** A vCPU triple-faulted (KVM_EXIT_SHUTDOWN); on real hardware this resets the machine. */
    TRIPLE_FAULT
}

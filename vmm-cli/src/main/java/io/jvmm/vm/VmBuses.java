package io.jvmm.vm;

import io.jvmm.bus.Bus;

/** The VM's two address spaces that trap to the VMM. */
public record VmBuses(Bus pio, Bus mmio) {
}

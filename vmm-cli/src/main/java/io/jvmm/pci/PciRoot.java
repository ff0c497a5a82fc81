package io.jvmm.pci;

import io.jvmm.spi.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * PCI bus 0: 32 device slots of one function each, slot 0 holding the {@link PciHostBridge}.
 * Routes configuration accesses from {@link PciConfigIo} and {@link PciEcam} to the
 * devices. An absent function reads all-ones (PCI Local Bus 3.0, 6.1: a read of a
 * non-existent function's vendor ID returns FFFFh via master abort), as do other buses and
 * functions 1-7 (no device here is multi-function).
 *
 * <p>Devices come from plugins, so an exception a device throws on a config access is
 * caught here, logged once per device, and the access answered with all-ones: a broken
 * plugin must not take the vCPU down.
 */
public final class PciRoot {
    private static final Logger log = LoggerFactory.getLogger(PciRoot.class);

    public static final int SLOTS = 32;
    public static final int HOST_BRIDGE_SLOT = 0;
    private static final int ABSENT = 0xffff_ffff;

    private final AtomicReferenceArray<PciDevice> slots = new AtomicReferenceArray<>(SLOTS);
    private final BarRelocator relocator;
    private final Set<PciDevice> reportedFailures = ConcurrentHashMap.newKeySet();

    /** @param relocator moves BAR ranges on the VM's buses when the guest reprograms a BAR */
    public PciRoot(BarRelocator relocator) {
        this.relocator = Objects.requireNonNull(relocator, "relocator");
        slots.set(HOST_BRIDGE_SLOT, new PciHostBridge());
    }

    /**
     * Puts {@code device} in the lowest free slot.
     *
     * @return the slot (device number) it got
     * @throws IllegalStateException when all 32 slots are taken
     */
    public synchronized int addDevice(PciDevice device) {
        Objects.requireNonNull(device, "device");
        for (int slot = 0; slot < SLOTS; slot++) {
            if (slots.get(slot) == device) {
                throw new IllegalArgumentException("PCI device " + device.id() + " is already in slot " + slot);
            }
        }
        for (int slot = 0; slot < SLOTS; slot++) {
            if (slots.compareAndSet(slot, null, device)) {
                return slot;
            }
        }
        throw new IllegalStateException("PCI bus 0 is full: all " + SLOTS + " slots are taken, cannot add "
                + device.id());
    }

    /** The device in {@code slot}, or null. */
    public PciDevice device(int slot) {
        return slot >= 0 && slot < SLOTS ? slots.get(slot) : null;
    }

    /** Occupied slots in order, for the ACPI tables (_PRT) and logs. */
    public Map<Integer, PciDevice> devices() {
        Map<Integer, PciDevice> out = new LinkedHashMap<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            PciDevice device = slots.get(slot);
            if (device != null) {
                out.put(slot, device);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Reads 32-bit register {@code register} (0-1023) of a function; all-ones when absent. */
    public int readConfig(int bus, int device, int function, int register) {
        PciDevice target = target(bus, device, function, register);
        if (target == null) {
            return ABSENT;
        }
        try {
            return target.readConfigRegister(register);
        } catch (RuntimeException e) {
            reportFailure(target, "config read", e);
            return ABSENT;
        }
    }

    /**
     * Writes {@code data} (1, 2 or 4 bytes) at byte {@code offset} of register
     * {@code register}. Writes that leave the register, and writes to absent functions, are
     * dropped. A write that moves a BAR relocates it through the {@link BarRelocator}.
     */
    public void writeConfig(int bus, int device, int function, int register, int offset, byte[] data) {
        PciDevice target = target(bus, device, function, register);
        if (target == null || offset < 0 || data.length == 0 || data.length == 3 || offset + data.length > 4) {
            return;
        }
        PciDevice.BarReprogram moved;
        try {
            moved = target.writeConfigRegister(register, offset, data);
        } catch (RuntimeException e) {
            reportFailure(target, "config write", e);
            return;
        }
        if (moved != null && moved.newAddress() != moved.bar().address()) {
            relocate(target, moved);
        }
    }

    private void relocate(PciDevice device, PciDevice.BarReprogram moved) {
        try {
            relocator.relocate(device, moved.bar(), moved.newAddress());
        } catch (RuntimeException e) {
            log.warn("{}: guest moved BAR {} from 0x{} to 0x{}, which cannot be mapped: {}", device.id(),
                    moved.bar().index(), Long.toHexString(moved.bar().address()),
                    Long.toHexString(moved.newAddress()), e.toString());
        }
    }

    private PciDevice target(int bus, int device, int function, int register) {
        if (bus != 0 || function != 0 || device < 0 || device >= SLOTS || register < 0
                || register >= PciConfigSpace.REGISTERS) {
            return null;
        }
        return slots.get(device);
    }

    private void reportFailure(PciDevice device, String what, RuntimeException e) {
        if (reportedFailures.add(device)) {
            log.error("PCI device {} failed on a {} (answering all-ones from now on where it fails)",
                    device.id(), what, e);
        }
    }
}

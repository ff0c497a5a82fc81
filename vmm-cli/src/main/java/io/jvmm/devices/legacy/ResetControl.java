package io.jvmm.devices.legacy;

import io.jvmm.snapshot.StateInput;
import io.jvmm.snapshot.StateOutput;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * The reset control register at port 0xCF9 (Intel chipsets' RST_CNT), which the FADT names
 * as RESET_REG with RESET_VALUE 0x06 (ACPI 6.4, 4.8.3.6). Setting bit 2 (RST_CPU) resets the
 * machine; bits 1 (SYS_RST) and 3 (FULL_RST) only choose the kind of reset on real chipsets
 * and are kept for reading back. Linux's {@code reboot=pci} writes 0x02 then 0x06 (or 0x0E).
 *
 * <p>Only byte accesses reach the register: the port sits inside PCI's CONFIG_ADDRESS
 * (0xCF8-0xCFB), where dword accesses belong to the configuration mechanism (PCI Local Bus
 * 3.0, 3.2.2.3.2), so {@code io.jvmm.pci.PciConfigIo} claims 0xCF8 and 0xCFA-0xCFF around it.
 */
public final class ResetControl implements PlatformDevice, Snapshottable {
    private static final int STATE_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(ResetControl.class);
    private static final int RST_CPU = 0x04;
    private static final int STORED = 0x0a;

    private final Runnable resetRequest;
    private int value;

    /**
     * @param resetRequest called (on the vCPU thread, without locks held) when the guest
     *                     resets the machine; it must not wait for the vCPUs to stop
     */
    public ResetControl(Runnable resetRequest) {
        this.resetRequest = Objects.requireNonNull(resetRequest, "resetRequest");
    }

    @Override
    public String id() {
        return "reset-control";
    }

    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.RESET_PORT, 1));
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (offset == 0 && i == 0 && data.length == 1 ? value : 0xff);
        }
    }

    @Override
    public void write(long offset, byte[] data) {
        if (offset != 0 || data.length != 1) {
            return;
        }
        int written = data[0] & 0xff;
        synchronized (this) {
            value = written & STORED; // RST_CPU acts and clears itself
        }
        if ((written & RST_CPU) != 0) {
            log.info("guest reset the machine through port 0xcf9 (value 0x{})", Integer.toHexString(written));
            resetRequest.run();
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String snapshotId() {
        return id();
    }

    @Override
    public synchronized ComponentState saveState() {
        return new ComponentState(id(), STATE_VERSION, new StateOutput().u8(value).toByteArray());
    }

    @Override
    public synchronized void restoreState(ComponentState state) throws StateException {
        StateInput in = stateInput(state, STATE_VERSION);
        try {
            int v = in.u8();
            in.end();
            if ((v & ~STORED) != 0) {
                throw new StateException(state.id() + ": reset control value 0x" + Integer.toHexString(v));
            }
            value = v;
        } catch (SnapshotException e) {
            throw new StateException(e.getMessage());
        }
    }

    /** Reads a payload of this device's {@code VERSION}; errors name the device. */
    private static StateInput stateInput(ComponentState state, int version) throws StateException {
        if (state.version() != version) {
            throw new StateException(state.id() + ": state version " + state.version() + ", this jvmm reads " + version);
        }
        return new StateInput(state.id(), state.payload());
    }

    @Override
    public String toString() {
        return "ResetControl[0xcf9]";
    }
}

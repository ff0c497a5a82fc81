package io.jvmm.devices.legacy;

import io.jvmm.snapshot.StateInput;
import io.jvmm.snapshot.StateOutput;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * ACPI fixed hardware power management registers (ACPI 6.4, 4.8.3.1 and 4.8.3.2): the PM1a
 * event block (PM1_STS, PM1_EN) at 0x600 and the PM1a control block (PM1_CNT) at 0x604.
 *
 * <p>The machine is always in ACPI mode (the FADT's SMI_CMD is 0), so SCI_EN reads 1 and
 * cannot be cleared. Writing SLP_EN with SLP_TYP {@value #S5_SLP_TYP} (the value of the DSDT's
 * {@code \_S5} package) enters S5: the power-off callback runs. Other sleep states are not
 * supported and are ignored with a log line.
 *
 * <p>{@link #pressPowerButton()} sets PWRBTN_STS; while a status bit and its enable bit are
 * both set the SCI (GSI 9, level, active high) is asserted. The FADT must then leave the
 * PWR_BUTTON flag clear (a fixed-hardware power button).
 */
public final class AcpiPmDevice implements PlatformDevice, Snapshottable {
    private static final int STATE_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(AcpiPmDevice.class);

    /** SLP_TYP for S5 (soft off); the DSDT's {@code \_S5} package must hold this value. */
    public static final int S5_SLP_TYP = 5;

    /** Offsets from the event block's base, the first region. */
    private static final int STS = 0;
    private static final int EN = 2;
    private static final int CNT = X86Layout.ACPI_PM1A_CNT_PORT - X86Layout.ACPI_PM1A_EVT_PORT;
    private static final int EVT_LENGTH = 4;
    private static final int CNT_LENGTH = 2;

    // PM1_STS / PM1_EN bits (ACPI 6.4, Tables 4.16 and 4.17).
    private static final int TMR = 1;
    private static final int GBL = 1 << 5;
    private static final int PWRBTN = 1 << 8;
    private static final int SLPBTN = 1 << 9;
    private static final int RTC = 1 << 10;
    private static final int WAK_STS = 1 << 15;
    /** Status bits that exist here; others read 0. */
    private static final int STS_BITS = TMR | GBL | PWRBTN | SLPBTN | RTC | WAK_STS;
    private static final int EN_BITS = TMR | GBL | PWRBTN | SLPBTN | RTC;

    // PM1_CNT bits (ACPI 6.4, Table 4.18).
    private static final int SCI_EN = 1;
    private static final int SLP_TYP_SHIFT = 10;
    private static final int SLP_TYP_MASK = 7 << SLP_TYP_SHIFT;
    private static final int SLP_EN = 1 << 13;
    /** Bits software can set and read back: BM_RLD and SLP_TYP. */
    private static final int CNT_STORED = 0x2 | SLP_TYP_MASK;

    private final Runnable powerOff;
    private final IrqLine sci;
    private int status;
    private int enable;
    private int control = SCI_EN;
    private boolean sciAsserted;

    /**
     * @param powerOff called (on the vCPU thread, without locks held) when the guest enters S5;
     *                 it must not wait for the vCPUs to stop
     * @param sci      the SCI line (GSI {@value X86Layout#ACPI_SCI_IRQ})
     */
    public AcpiPmDevice(Runnable powerOff, IrqLine sci) {
        if (CNT != EVT_LENGTH) {
            throw new IllegalStateException("PM1a control block must follow the 4-byte event block");
        }
        this.powerOff = Objects.requireNonNull(powerOff, "powerOff");
        this.sci = Objects.requireNonNull(sci, "sci");
    }

    @Override
    public String id() {
        return "acpi-pm";
    }

    /** Event block, then control block; offsets 0-3 and 4-5 from the event block. */
    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.ACPI_PM1A_EVT_PORT, EVT_LENGTH),
                new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.ACPI_PM1A_CNT_PORT, CNT_LENGTH));
    }

    /** Byte lanes of the six register bytes; bytes outside them read 0xff. */
    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long at = offset + i;
            data[i] = (byte) (offset < 0 || at > CNT + 1 ? 0xff : registerByte((int) at));
        }
    }

    private int registerByte(int at) {
        return switch (at) {
            case STS -> status;
            case STS + 1 -> status >> 8;
            case EN -> enable;
            case EN + 1 -> enable >> 8;
            case CNT -> control;
            case CNT + 1 -> control >> 8; // SLP_EN and GBL_RLS are write-only: never stored
            default -> 0xff;
        };
    }

    @Override
    public void write(long offset, byte[] data) {
        int sleepType = -1;
        synchronized (this) {
            int written = 0; // the bits of PM1_CNT this access wrote
            for (int i = 0; i < data.length; i++) {
                long at = offset + i;
                int value = data[i] & 0xff;
                if (offset < 0) {
                    break;
                }
                if (at == STS || at == STS + 1) {
                    status &= ~(value << (8 * (at - STS))); // write 1 to clear
                } else if (at == EN || at == EN + 1) {
                    int shift = (int) (8 * (at - EN));
                    enable = (enable & ~(0xff << shift) | value << shift) & EN_BITS;
                } else if (at == CNT || at == CNT + 1) {
                    int shift = (int) (8 * (at - CNT));
                    written |= value << shift;
                    control = (control & ~(0xff << shift) | value << shift) & CNT_STORED | SCI_EN;
                }
            }
            if ((written & SLP_EN) != 0) {
                sleepType = (control & SLP_TYP_MASK) >> SLP_TYP_SHIFT;
            }
            updateSci();
        }
        if (sleepType == S5_SLP_TYP) {
            log.info("guest entered S5 (soft off)");
            powerOff.run();
        } else if (sleepType >= 0) {
            log.info("guest asked for sleep type {}; only S5 ({}) is supported, ignoring", sleepType, S5_SLP_TYP);
        }
    }

    /** Presses the fixed-hardware power button: the guest's ACPI driver then shuts down in order. */
    public synchronized void pressPowerButton() {
        status |= PWRBTN;
        updateSci();
    }

    private void updateSci() {
        boolean level = (status & enable & STS_BITS) != 0;
        if (level != sciAsserted) {
            sciAsserted = level;
            if (level) {
                sci.assertLine();
            } else {
                sci.deassertLine();
            }
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
        return new ComponentState(id(), STATE_VERSION, new StateOutput().u32(status).u32(enable).u32(control)
                .toByteArray());
    }

    @Override
    public synchronized void restoreState(ComponentState state) throws StateException {
        StateInput in = stateInput(state, STATE_VERSION);
        try {
            int sts = in.u32();
            int en = in.u32();
            int cnt = in.u32();
            in.end();
            if ((sts & ~STS_BITS) != 0 || (en & ~EN_BITS) != 0 || (cnt & ~(CNT_STORED | SCI_EN)) != 0) {
                throw new StateException(state.id() + ": PM1 registers out of range");
            }
            status = sts;
            enable = en;
            control = cnt;
            updateSci();
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
        return "AcpiPmDevice[0x600-0x605]";
    }
}

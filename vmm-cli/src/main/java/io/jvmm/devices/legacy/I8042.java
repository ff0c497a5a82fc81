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
 * The 8042 keyboard controller at ports 0x60 (data) and 0x64 (status/command), with a
 * keyboard and no auxiliary (mouse) port. Enough for Linux's i8042 and atkbd drivers to
 * probe without timeouts, and for {@code reboot=k}: command 0xFE pulses the CPU reset line,
 * which calls the reset callback. Command and status bits follow the IBM PC/AT Technical
 * Reference (8042 keyboard controller) and Linux's {@code drivers/input/serio/i8042.h}.
 *
 * <p>The keyboard interrupt (IRQ 1) is a level: high while the output buffer holds a byte
 * and command-byte bit 0 enables it. Reading the data port drops the line; if another byte
 * is queued the line rises again, so each byte makes its own edge, as on the real part where
 * the next byte arrives from the keyboard a little later.
 *
 * <p>With no aux port, command 0xD3 (write aux output buffer) returns its byte on the
 * keyboard side, so Linux's aux loop test fails at once ("auxerr") instead of timing out,
 * and 0xA9 (aux interface test) answers 0x02, clock line stuck high: nothing connected.
 */
public final class I8042 implements PlatformDevice, Snapshottable {
    private static final int STATE_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(I8042.class);

    /** Offsets from the data port, the base of the first region. */
    private static final int DATA = 0;
    private static final int STATUS_COMMAND = X86Layout.I8042_COMMAND_PORT - X86Layout.I8042_DATA_PORT;

    // Status register.
    private static final int STATUS_OBF = 0x01;
    private static final int STATUS_SYSTEM_FLAG = 0x04;
    private static final int STATUS_LAST_WAS_COMMAND = 0x08;
    private static final int STATUS_NOT_INHIBITED = 0x10; // keylock switch off

    // Command byte (controller RAM byte 0).
    private static final int CTR_KBD_INT = 0x01;
    private static final int CTR_SYSTEM_FLAG = 0x04;
    private static final int CTR_KBD_DISABLE = 0x10;
    private static final int CTR_AUX_DISABLE = 0x20;
    private static final int CTR_TRANSLATE = 0x40;
    /** What a BIOS leaves: keyboard interrupt on, POST passed, translation on (as Firecracker's). */
    private static final int CTR_AT_BOOT = CTR_KBD_INT | CTR_SYSTEM_FLAG | CTR_TRANSLATE;

    // Output port: bit 0 is the CPU reset line (active low), bit 1 the A20 gate.
    private static final int OUTPUT_PORT_RESET_HIGH = 0x01;
    private static final int OUTPUT_PORT_A20 = 0x02;
    private static final int OUTPUT_PORT_OBF = 0x10;

    // Controller commands.
    private static final int CMD_READ_CTR = 0x20;
    private static final int CMD_WRITE_CTR = 0x60;
    private static final int CMD_PASSWORD_INSTALLED = 0xa4;
    private static final int CMD_AUX_DISABLE = 0xa7;
    private static final int CMD_AUX_ENABLE = 0xa8;
    private static final int CMD_AUX_TEST = 0xa9;
    private static final int CMD_SELF_TEST = 0xaa;
    private static final int CMD_KBD_TEST = 0xab;
    private static final int CMD_KBD_DISABLE = 0xad;
    private static final int CMD_KBD_ENABLE = 0xae;
    private static final int CMD_READ_OUTPUT_PORT = 0xd0;
    private static final int CMD_WRITE_OUTPUT_PORT = 0xd1;
    private static final int CMD_WRITE_KBD_BUFFER = 0xd2;
    private static final int CMD_WRITE_AUX_BUFFER = 0xd3;
    private static final int CMD_WRITE_AUX_DEVICE = 0xd4;
    private static final int CMD_PULSE_FIRST = 0xf0;

    private static final int SELF_TEST_PASSED = 0x55;
    private static final int INTERFACE_OK = 0x00;
    private static final int INTERFACE_CLOCK_HIGH = 0x02;
    private static final int NO_PASSWORD = 0xf1;

    /** Linux reads at most this many stale bytes when flushing (I8042_BUFFER_SIZE). */
    private static final int OUTPUT_QUEUE = 16;

    private final IrqLine keyboardIrq;
    private final Runnable resetRequest;
    private final Ps2Keyboard keyboard = new Ps2Keyboard();
    private final ByteRing output = new ByteRing(OUTPUT_QUEUE);

    private int commandByte = CTR_AT_BOOT;
    private int awaitingDataFor = -1;
    private int lastOutput;
    private boolean lastWriteWasCommand;
    private boolean irqAsserted;

    /**
     * @param keyboardIrq  IRQ 1 (GSI 1)
     * @param resetRequest called (on the vCPU thread, without locks held) when the guest
     *                     pulses the reset line; it must not wait for the vCPUs to stop
     */
    public I8042(IrqLine keyboardIrq, Runnable resetRequest) {
        this.keyboardIrq = Objects.requireNonNull(keyboardIrq, "keyboardIrq");
        this.resetRequest = Objects.requireNonNull(resetRequest, "resetRequest");
    }

    @Override
    public String id() {
        return "i8042";
    }

    /** Data then status/command port; offsets 0 and 4 from the data port (see {@link PlatformDevice}). */
    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.I8042_DATA_PORT, 1),
                new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.I8042_COMMAND_PORT, 1));
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (data.length == 0) {
            return;
        }
        int value;
        if (offset == DATA) {
            value = readData();
        } else if (offset == STATUS_COMMAND) {
            value = status();
        } else {
            value = 0xff;
        }
        data[0] = (byte) value;
        for (int i = 1; i < data.length; i++) {
            data[i] = (byte) 0xff;
        }
    }

    @Override
    public void write(long offset, byte[] data) {
        if (data.length == 0) {
            return;
        }
        boolean reset;
        synchronized (this) {
            int value = data[0] & 0xff;
            if (offset == DATA) {
                reset = writeData(value);
            } else if (offset == STATUS_COMMAND) {
                reset = command(value);
            } else {
                reset = false;
            }
            updateIrq();
        }
        if (reset) {
            log.info("guest pulsed the reset line through the keyboard controller");
            resetRequest.run();
        }
    }

    private int status() {
        int status = STATUS_NOT_INHIBITED | (commandByte & CTR_SYSTEM_FLAG);
        if (!output.isEmpty()) {
            status |= STATUS_OBF;
        }
        if (lastWriteWasCommand) {
            status |= STATUS_LAST_WAS_COMMAND;
        }
        // The input buffer is never full (bit 1): every write is handled at once.
        return status;
    }

    private int readData() {
        if (!output.isEmpty()) {
            lastOutput = output.poll();
            if (irqAsserted) {
                irqAsserted = false;
                keyboardIrq.deassertLine();
            }
            updateIrq();
        }
        return lastOutput; // an empty buffer reads as the last byte, as on the real part
    }

    /** Returns true when the write asks for a CPU reset. */
    private boolean command(int command) {
        lastWriteWasCommand = true;
        awaitingDataFor = -1;
        switch (command) {
            case CMD_READ_CTR -> answer(commandByte);
            case CMD_WRITE_CTR, CMD_WRITE_OUTPUT_PORT, CMD_WRITE_KBD_BUFFER, CMD_WRITE_AUX_BUFFER,
                    CMD_WRITE_AUX_DEVICE -> awaitingDataFor = command;
            case CMD_PASSWORD_INSTALLED -> answer(NO_PASSWORD);
            case CMD_AUX_DISABLE -> commandByte |= CTR_AUX_DISABLE;
            case CMD_AUX_ENABLE -> commandByte &= ~CTR_AUX_DISABLE;
            case CMD_AUX_TEST -> answer(INTERFACE_CLOCK_HIGH);
            case CMD_SELF_TEST -> {
                commandByte |= CTR_SYSTEM_FLAG;
                answer(SELF_TEST_PASSED);
            }
            case CMD_KBD_TEST -> answer(INTERFACE_OK);
            case CMD_KBD_DISABLE -> commandByte |= CTR_KBD_DISABLE;
            case CMD_KBD_ENABLE -> commandByte &= ~CTR_KBD_DISABLE;
            case CMD_READ_OUTPUT_PORT -> answer(OUTPUT_PORT_RESET_HIGH | OUTPUT_PORT_A20
                    | (output.isEmpty() ? 0 : OUTPUT_PORT_OBF));
            default -> {
                if (command >= CMD_PULSE_FIRST) {
                    // 0xF0-0xFF pulse output-port bits 3:0 whose command bit is 0; bit 0 is reset (0xFE).
                    return (command & OUTPUT_PORT_RESET_HIGH) == 0;
                }
                log.debug("i8042: ignoring controller command 0x{}", Integer.toHexString(command));
            }
        }
        return false;
    }

    /** Returns true when the write asks for a CPU reset. */
    private boolean writeData(int value) {
        lastWriteWasCommand = false;
        int pending = awaitingDataFor;
        awaitingDataFor = -1;
        switch (pending) {
            case CMD_WRITE_CTR -> commandByte = value;
            case CMD_WRITE_OUTPUT_PORT -> {
                // A20 stays enabled (KVM has no A20 gate); a low bit 0 holds the CPU in reset.
                return (value & OUTPUT_PORT_RESET_HIGH) == 0;
            }
            case CMD_WRITE_KBD_BUFFER, CMD_WRITE_AUX_BUFFER -> queue(value);
            case CMD_WRITE_AUX_DEVICE -> {
                // No aux device to hear it.
            }
            default -> {
                for (int b : keyboard.receive(value, (commandByte & CTR_TRANSLATE) != 0)) {
                    queue(b);
                }
            }
        }
        return false;
    }

    /** A controller answer takes the output buffer: it replaces whatever was waiting there. */
    private void answer(int value) {
        output.clear();
        queue(value);
    }

    private void queue(int value) {
        if (!output.offer(value)) {
            log.debug("i8042: output buffer overflow, dropping 0x{}", Integer.toHexString(value));
        }
    }

    private void updateIrq() {
        boolean level = !output.isEmpty() && (commandByte & CTR_KBD_INT) != 0;
        if (level != irqAsserted) {
            irqAsserted = level;
            if (level) {
                keyboardIrq.assertLine();
            } else {
                keyboardIrq.deassertLine();
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
        StateOutput out = new StateOutput().u8(commandByte).u32(awaitingDataFor).u8(lastOutput)
                .bool(lastWriteWasCommand).bytes(output.toArray());
        keyboard.save(out);
        return new ComponentState(id(), STATE_VERSION, out.toByteArray());
    }

    @Override
    public synchronized void restoreState(ComponentState state) throws StateException {
        if (state.version() != STATE_VERSION) {
            throw new StateException(state.id() + ": state version " + state.version() + ", this jvmm reads "
                    + STATE_VERSION);
        }
        StateInput in = new StateInput(state.id(), state.payload());
        try {
            int ctr = in.u8();
            int awaiting = in.u32();
            int last = in.u8();
            boolean wasCommand = in.bool();
            byte[] queued = in.bytes(OUTPUT_QUEUE);
            if (awaiting < -1 || awaiting > 0xff) {
                throw in.bad("pending command " + awaiting);
            }
            keyboard.restore(in);
            in.end();
            commandByte = ctr;
            awaitingDataFor = awaiting;
            lastOutput = last;
            lastWriteWasCommand = wasCommand;
            output.clear();
            for (byte b : queued) {
                output.offer(b & 0xff);
            }
            updateIrq();
        } catch (SnapshotException e) {
            throw new StateException(e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "I8042[0x60,0x64]";
    }
}

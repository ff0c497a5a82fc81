package io.jvmm.devices.legacy;

import io.jvmm.snapshot.StateInput;
import io.jvmm.snapshot.StateOutput;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.vm.X86Layout;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The MC146818 real-time clock and its 128 bytes of CMOS RAM at ports 0x70 (index; bit 7
 * masks NMI) and 0x71 (data), per the Motorola MC146818A datasheet.
 *
 * <p>The time registers show the host clock in UTC, in BCD unless register B selects
 * binary (bit 2), in 24-hour form unless register B bit 1 is clear. Guest writes to the time
 * registers are kept as an offset from the host clock, so a guest that sets the clock
 * (hwclock --systohc) reads its own time back; while register B's SET bit is on the time is
 * frozen and the new time takes effect when SET is cleared, as the datasheet describes.
 * Values that are no valid date are ignored. No update, alarm or periodic interrupts: UIP
 * reads 0 and register C reads 0.
 *
 * <p>The memory size bytes follow the layout SeaBIOS and Bochs read (there is no standard
 * beyond the IBM AT's 0x15-0x18 and 0x30-0x31): base memory in KiB (0x15/0x16), memory
 * from 1 MiB in KiB up to 64 MiB (0x17/0x18 and 0x30/0x31), memory from 16 MiB to 4 GiB in
 * 64 KiB units (0x34/0x35) and memory above 4 GiB in 64 KiB units (0x5B-0x5D).
 */
public final class CmosRtc implements PlatformDevice, Snapshottable {
    private static final int STATE_VERSION = 1;
    private static final int INDEX = 0;
    private static final int DATA = 1;
    private static final int RAM_SIZE = 128;

    private static final int SECONDS = 0x00;
    private static final int MINUTES = 0x02;
    private static final int HOURS = 0x04;
    private static final int WEEKDAY = 0x06;
    private static final int DAY = 0x07;
    private static final int MONTH = 0x08;
    private static final int YEAR = 0x09;
    private static final int REG_A = 0x0a;
    private static final int REG_B = 0x0b;
    private static final int REG_C = 0x0c;
    private static final int REG_D = 0x0d;
    /** The century byte; the FADT's CENTURY field must name it (ACPI 6.4, 5.2.9). */
    public static final int CENTURY = 0x32;

    /** 32.768 kHz time base (DV=010), 1024 Hz periodic rate (RS=0110); UIP (bit 7) always 0. */
    private static final int REG_A_DEFAULT = 0x26;
    private static final int REG_A_WRITABLE = 0x7f;
    private static final int REG_B_SET = 0x80;
    private static final int REG_B_BINARY = 0x04;
    private static final int REG_B_24H = 0x02;
    private static final int REG_D_VALID_RAM_AND_TIME = 0x80;
    private static final int HOUR_PM = 0x80;

    /**
     * The farthest a guest can set its clock from the host's: the century and year bytes in
     * binary reach year 255 * 100 + 255 = 25755, and year 0 at least, so from any host date up to
     * 9999 the distance stays under 30,000 years. A snapshot claiming more was not made by a
     * guest, and would make the first time read overflow the date arithmetic.
     */
    static final long MAX_OFFSET_SECONDS = 30_000L * 366 * 24 * 3600;
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private final Clock clock;
    private final byte[] ram = new byte[RAM_SIZE];
    private int index;
    private long offsetSeconds;

    /**
     * @param ramBelow4g bytes of guest RAM below 4 GiB, counted from address 0
     * @param ramAbove4g bytes of guest RAM from 4 GiB up
     */
    public CmosRtc(long ramBelow4g, long ramAbove4g) {
        this(ramBelow4g, ramAbove4g, Clock.systemUTC());
    }

    /** As above, with the clock the time registers follow (tests pass a fixed one). */
    public CmosRtc(long ramBelow4g, long ramAbove4g, Clock clock) {
        if (ramBelow4g < 0 || ramAbove4g < 0) {
            throw new IllegalArgumentException("negative RAM size");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        ram[REG_A] = REG_A_DEFAULT;
        ram[REG_B] = REG_B_24H;
        ram[REG_D] = (byte) REG_D_VALID_RAM_AND_TIME;
        writeMemorySizes(ramBelow4g, ramAbove4g);
    }

    private void writeMemorySizes(long below4g, long above4g) {
        long base = Math.min(below4g / KIB, 640);
        putWord(0x15, base);
        long extended = Math.min(Math.max(below4g - MIB, 0) / KIB, 0xffff);
        putWord(0x17, extended);
        putWord(0x30, extended);
        long above16m = Math.min(Math.max(below4g - 16 * MIB, 0) / (64 * KIB), 0xffff);
        putWord(0x34, above16m);
        long high = Math.min(above4g / (64 * KIB), 0xff_ffff);
        putWord(0x5b, high);
        ram[0x5d] = (byte) (high >> 16);
        // IBM AT checksum over 0x10-0x2D, stored big-endian at 0x2E/0x2F.
        int sum = 0;
        for (int i = 0x10; i <= 0x2d; i++) {
            sum += ram[i] & 0xff;
        }
        ram[0x2e] = (byte) (sum >> 8);
        ram[0x2f] = (byte) sum;
    }

    private void putWord(int at, long value) {
        ram[at] = (byte) value;
        ram[at + 1] = (byte) (value >> 8);
    }

    @Override
    public String id() {
        return "rtc";
    }

    @Override
    public List<BusRegion> regions() {
        return List.of(new BusRegion(BusRegion.AddressSpace.PIO, X86Layout.CMOS_PORT, 2));
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long port = offset + i;
            if (port == INDEX && offset >= 0) {
                data[i] = (byte) index; // write-only on the real part; reading back does no harm
            } else if (port == DATA && offset >= 0) {
                data[i] = (byte) readRegister(index);
            } else {
                data[i] = (byte) 0xff;
            }
        }
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long port = offset + i;
            int value = data[i] & 0xff;
            if (port == INDEX && offset >= 0) {
                index = value & (RAM_SIZE - 1); // bit 7 is the NMI mask, not part of the index
            } else if (port == DATA && offset >= 0) {
                writeRegister(index, value);
            }
        }
    }

    private int readRegister(int register) {
        if (isTimeRegister(register) && !setMode()) {
            latchTime();
        }
        int value = ram[register] & 0xff;
        if (register == REG_C) {
            ram[REG_C] = 0; // interrupt flags clear on read; none are ever raised here
        }
        return value;
    }

    private void writeRegister(int register, int value) {
        switch (register) {
            case REG_A -> ram[REG_A] = (byte) (value & REG_A_WRITABLE);
            case REG_B -> {
                boolean wasSet = setMode();
                if (!wasSet && (value & REG_B_SET) != 0) {
                    latchTime(); // freeze the time in the format in force until now
                }
                ram[REG_B] = (byte) value;
                if (wasSet && !setMode()) {
                    commitTime();
                }
            }
            case REG_C, REG_D -> {
                // Read-only.
            }
            default -> {
                if (isTimeRegister(register)) {
                    if (!setMode()) {
                        latchTime();
                    }
                    ram[register] = (byte) value;
                    if (!setMode()) {
                        commitTime();
                    }
                } else {
                    ram[register] = (byte) value;
                }
            }
        }
    }

    private static boolean isTimeRegister(int register) {
        return register == SECONDS || register == MINUTES || register == HOURS || register == WEEKDAY
                || register == DAY || register == MONTH || register == YEAR || register == CENTURY;
    }

    private boolean setMode() {
        return (ram[REG_B] & REG_B_SET) != 0;
    }

    private LocalDateTime now() {
        return LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(offsetSeconds);
    }

    /** Copies the current time into the time registers, in the format register B selects. */
    private void latchTime() {
        LocalDateTime t = now();
        ram[SECONDS] = encode(t.getSecond());
        ram[MINUTES] = encode(t.getMinute());
        ram[HOURS] = encodeHour(t.getHour());
        ram[WEEKDAY] = encode(t.getDayOfWeek().getValue() % 7 + 1); // Sunday = 1
        ram[DAY] = encode(t.getDayOfMonth());
        ram[MONTH] = encode(t.getMonthValue());
        ram[YEAR] = encode(t.getYear() % 100);
        ram[CENTURY] = encode(t.getYear() / 100);
    }

    /** Makes the time registers the guest's time: stores their distance from the host clock. */
    private void commitTime() {
        try {
            int year = decode(ram[CENTURY]) * 100 + decode(ram[YEAR]);
            LocalDateTime set = LocalDateTime.of(year, decode(ram[MONTH]), decode(ram[DAY]),
                    decodeHour(ram[HOURS]), decode(ram[MINUTES]), decode(ram[SECONDS]));
            LocalDateTime host = LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).truncatedTo(ChronoUnit.SECONDS);
            offsetSeconds = ChronoUnit.SECONDS.between(host, set);
        } catch (DateTimeException | IllegalArgumentException e) {
            // Not a date (bad BCD, month 13, ...): keep the previous time.
        }
    }

    private boolean binary() {
        return (ram[REG_B] & REG_B_BINARY) != 0;
    }

    private byte encode(int value) {
        return (byte) (binary() ? value : (value / 10) << 4 | value % 10);
    }

    private int decode(byte raw) {
        int value = raw & 0xff;
        if (binary()) {
            return value;
        }
        int high = value >> 4;
        int low = value & 0x0f;
        if (high > 9 || low > 9) {
            throw new IllegalArgumentException("not BCD");
        }
        return high * 10 + low;
    }

    /** 12-hour form (register B bit 1 clear): 1-12 with bit 7 set for PM (datasheet, Table 3). */
    private byte encodeHour(int hour) {
        if ((ram[REG_B] & REG_B_24H) != 0) {
            return encode(hour);
        }
        int twelve = hour % 12 == 0 ? 12 : hour % 12;
        return (byte) (encode(twelve) | (hour >= 12 ? HOUR_PM : 0));
    }

    private int decodeHour(byte raw) {
        if ((ram[REG_B] & REG_B_24H) != 0) {
            return decode(raw);
        }
        int twelve = decode((byte) (raw & ~HOUR_PM));
        if (twelve < 1 || twelve > 12) {
            throw new IllegalArgumentException("bad 12-hour value");
        }
        return twelve % 12 + ((raw & HOUR_PM) != 0 ? 12 : 0);
    }

    @Override
    public void close() {
    }

    @Override
    public String snapshotId() {
        return id();
    }

    /** CMOS RAM, the index register and the guest's offset from host time (so its clock keeps its setting). */
    @Override
    public synchronized ComponentState saveState() {
        return new ComponentState(id(), STATE_VERSION, new StateOutput().bytes(ram).u8(index).u64(offsetSeconds)
                .toByteArray());
    }

    @Override
    public synchronized void restoreState(ComponentState state) throws StateException {
        StateInput in = stateInput(state, STATE_VERSION);
        try {
            byte[] r = in.bytesExactly(RAM_SIZE);
            int i = in.u8();
            long offset = in.u64();
            in.end();
            if (i >= RAM_SIZE) {
                throw new StateException(state.id() + ": CMOS index " + i);
            }
            if (offset < -MAX_OFFSET_SECONDS || offset > MAX_OFFSET_SECONDS) {
                throw new StateException(state.id() + ": the guest clock is " + offset + " s from the host's, more "
                        + "than a guest can set (" + MAX_OFFSET_SECONDS + " s)");
            }
            System.arraycopy(r, 0, ram, 0, RAM_SIZE);
            index = i;
            offsetSeconds = offset;
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
        return "CmosRtc[0x70-0x71]";
    }
}

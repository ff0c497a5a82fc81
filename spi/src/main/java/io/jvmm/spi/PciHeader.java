package io.jvmm.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 256-byte type-0 configuration space of a PCI function, for plugins: identity, class,
 * BARs with sizing and write masks, a capability list and the interrupt pin. A device builds
 * one with {@link #builder}, forwards {@link PciDevice#readConfigRegister},
 * {@link PciDevice#writeConfigRegister}, {@link PciDevice#allocateBars} and
 * {@link PciDevice#moveBar(PciBar, long)} to it, and is left with only its own registers.
 *
 * <p>Every byte has a write mask: bits outside it are read-only and guest writes to them are
 * dropped (PCI Local Bus 3.0, 6.1). A BAR's mask is {@code ~(size - 1)} over its address bits,
 * so the sizing probe (write all-ones, read back) answers the size by itself (6.2.5.1). The
 * extended space past 256 bytes reads 0: no extended capabilities (PCIe 4.0, 7.6.3).
 * Thread-safe.
 */
public final class PciHeader {
    /** Bytes of type-0 configuration space. */
    public static final int SIZE = 256;

    // Type 0 header offsets (PCI Local Bus 3.0, Figure 6-1).
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int PROG_IF = 0x09;
    public static final int SUBCLASS = 0x0a;
    public static final int CLASS_CODE = 0x0b;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int CAPABILITIES_POINTER = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;

    // Command and status bits (PCI Local Bus 3.0, 6.2.2 and 6.2.3).
    public static final int COMMAND_IO = 1;
    public static final int COMMAND_MEMORY = 1 << 1;
    public static final int COMMAND_BUS_MASTER = 1 << 2;
    public static final int COMMAND_INTX_DISABLE = 1 << 10;
    public static final int STATUS_CAPABILITIES = 1 << 4;

    /** Where the capability list starts: the first byte after the type-0 header. */
    public static final int FIRST_CAPABILITY = 0x40;
    private static final int BARS = 6;

    private final byte[] bytes;
    private final byte[] writeMask;
    private final Bar[] bars;
    /** Where each BAR is placed now, by index; meaningless for indexes without a BAR. */
    private final long[] placed = new long[BARS];
    /** Whether the guest's last write to BAR register i was the all-ones sizing probe. */
    private final boolean[] probing = new boolean[BARS];

    private record Bar(int index, PciBar.Type type, long size, boolean prefetchable) {
    }

    private PciHeader(byte[] bytes, byte[] writeMask, Bar[] bars) {
        this.bytes = bytes;
        this.writeMask = writeMask;
        this.bars = bars;
    }

    /** Starts a header for vendor and device id; everything else is 0 until set. */
    public static Builder builder(int vendorId, int deviceId) {
        return new Builder(vendorId, deviceId);
    }

    /** The 32-bit register {@code reg}; 0 beyond the 256 bytes. */
    public synchronized int readRegister(int reg) {
        return reg >= 0 && reg < SIZE / 4 ? get(reg * 4, 4) : 0;
    }

    /** {@code length} (1, 2 or 4) bytes at {@code offset}, little-endian, e.g. a capability's field. */
    public synchronized int get(int offset, int length) {
        checkRange(offset, length);
        int value = 0;
        for (int i = 0; i < length; i++) {
            value |= (bytes[offset + i] & 0xff) << (8 * i);
        }
        return value;
    }

    /** Sets {@code length} bytes at {@code offset} ignoring the write mask: the device's own updates. */
    public synchronized void set(int offset, int length, int value) {
        checkRange(offset, length);
        for (int i = 0; i < length; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /**
     * A guest write of {@code data} at byte {@code offset} (0-3) of register {@code reg},
     * through the write mask. Bytes past the register or past 256 are dropped.
     *
     * @return the BAR the write moved and where to, or null; the VMM moves it and then calls
     *         {@link #barMoved}
     */
    public synchronized PciDevice.BarReprogram write(int reg, int offset, byte[] data) {
        if (reg < 0 || reg >= SIZE / 4 || offset < 0 || offset > 3) {
            return null;
        }
        boolean allOnes = offset == 0 && data.length == 4;
        for (int i = 0; i < data.length && offset + i < 4; i++) {
            int at = reg * 4 + offset + i;
            bytes[at] = (byte) (bytes[at] & ~writeMask[at] | data[i] & writeMask[at]);
            allOnes &= data[i] == (byte) 0xff;
        }
        int barRegister = reg - BAR0 / 4;
        if (barRegister < 0 || barRegister >= BARS) {
            return null;
        }
        probing[barRegister] = allOnes;
        Bar bar = barAt(barRegister);
        if (bar == null || probing[bar.index] || bar.type == PciBar.Type.MMIO64 && probing[bar.index + 1]) {
            return null;
        }
        long address = decode(bar);
        return address == placed[bar.index] ? null : new PciDevice.BarReprogram(placedBar(bar), address);
    }

    /** The offset of the first capability with {@code id}, walking the list as a driver does; -1 if none. */
    public synchronized int findCapability(int id) {
        int at = (get(STATUS, 2) & STATUS_CAPABILITIES) != 0 ? get(CAPABILITIES_POINTER, 1) : 0;
        for (int hops = 0; at >= FIRST_CAPABILITY && at < SIZE - 1 && hops < SIZE / 4; hops++) {
            if (get(at, 1) == id) {
                return at;
            }
            at = get(at + 1, 1);
        }
        return -1;
    }

    /** Places every BAR with {@code allocator} and writes the addresses into the BAR registers. */
    public synchronized List<PciBar> allocateBars(PciBarAllocator allocator) {
        List<PciBar> out = new ArrayList<>();
        for (Bar bar : bars) {
            if (bar != null) {
                placed[bar.index] = allocator.allocate(bar.type, bar.size);
                encode(bar, placed[bar.index]);
                out.add(placedBar(bar));
            }
        }
        return out;
    }

    /** The VMM moved BAR {@code bar.index()} to {@code newBase} (after a {@link #write} reported it). */
    public synchronized void barMoved(PciBar bar, long newBase) {
        Bar b = bar.index() < BARS ? bars[bar.index()] : null;
        if (b == null) {
            throw new IllegalArgumentException("no BAR " + bar.index());
        }
        placed[b.index] = newBase;
    }

    /** The BARs where they are now. */
    public synchronized List<PciBar> bars() {
        List<PciBar> out = new ArrayList<>();
        for (Bar bar : bars) {
            if (bar != null) {
                out.add(placedBar(bar));
            }
        }
        return out;
    }

    /** All 256 bytes, for a snapshot. */
    public synchronized byte[] state() {
        return bytes.clone();
    }

    /**
     * Takes over a saved {@link #state()}. Read-only bits must match this header's (else it is
     * another device's space); the BARs are where the saved registers say.
     *
     * @throws IllegalArgumentException naming the first offset that differs, or a bad length
     */
    public synchronized void restore(byte[] saved) {
        if (saved.length != SIZE) {
            throw new IllegalArgumentException("PCI config space is " + saved.length + " bytes, not " + SIZE);
        }
        for (int i = 0; i < SIZE; i++) {
            if (((saved[i] ^ bytes[i]) & ~writeMask[i]) != 0) {
                throw new IllegalArgumentException(String.format(
                        "PCI config space differs at 0x%02x in read-only bits (saved 0x%02x, this device 0x%02x)",
                        i, saved[i] & 0xff, bytes[i] & 0xff));
            }
        }
        System.arraycopy(saved, 0, bytes, 0, SIZE);
        Arrays.fill(probing, false);
        for (Bar bar : bars) {
            if (bar != null) {
                placed[bar.index] = decode(bar);
            }
        }
    }

    private Bar barAt(int register) {
        if (bars[register] != null) {
            return bars[register];
        }
        Bar below = register > 0 ? bars[register - 1] : null;
        return below != null && below.type == PciBar.Type.MMIO64 ? below : null;
    }

    private PciBar placedBar(Bar bar) {
        return new PciBar(bar.index, placed[bar.index], bar.size, bar.type, bar.prefetchable);
    }

    private long decode(Bar bar) {
        long low = get(BAR0 + 4 * bar.index, 4) & 0xffff_ffffL;
        return switch (bar.type) {
            case IO -> low & ~0x3L;
            case MMIO32 -> low & ~0xfL;
            case MMIO64 -> (low & ~0xfL) | (get(BAR0 + 4 * (bar.index + 1), 4) & 0xffff_ffffL) << 32;
        };
    }

    private void encode(Bar bar, long address) {
        int flags = get(BAR0 + 4 * bar.index, 4) & (bar.type == PciBar.Type.IO ? 0x3 : 0xf);
        set(BAR0 + 4 * bar.index, 4, (int) address | flags);
        if (bar.type == PciBar.Type.MMIO64) {
            set(BAR0 + 4 * (bar.index + 1), 4, (int) (address >>> 32));
        }
    }

    private static void checkRange(int offset, int length) {
        if (length < 1 || length > 4 || offset < 0 || offset + length > SIZE) {
            throw new IllegalArgumentException("config space access out of range: offset " + offset + ", length "
                    + length);
        }
    }

    /** Builds a {@link PciHeader}; ids and class first, then BARs, capabilities and the pin. */
    public static final class Builder {
        private final byte[] bytes = new byte[SIZE];
        private final byte[] writeMask = new byte[SIZE];
        private final Bar[] bars = new Bar[BARS];
        private int lastCapability = -1;
        private int nextCapability = FIRST_CAPABILITY;

        private Builder(int vendorId, int deviceId) {
            put(VENDOR_ID, 2, vendorId);
            put(DEVICE_ID, 2, deviceId);
            // Command: I/O and memory decode, bus master, INTx disable are the guest's (6.2.2).
            mask(COMMAND, 2, COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE);
            mask(INTERRUPT_LINE, 1, 0xff);
        }

        /** Class code (PCI Code and ID Assignment spec): base class, subclass, programming interface. */
        public Builder classCode(int baseClass, int subclass, int progIf) {
            put(CLASS_CODE, 1, baseClass);
            put(SUBCLASS, 1, subclass);
            put(PROG_IF, 1, progIf);
            return this;
        }

        public Builder revision(int revision) {
            put(REVISION_ID, 1, revision);
            return this;
        }

        public Builder subsystem(int vendorId, int id) {
            put(SUBSYSTEM_VENDOR_ID, 2, vendorId);
            put(SUBSYSTEM_ID, 2, id);
            return this;
        }

        /** INTx pin: 1 = INTA# ... 4 = INTD#, 0 = none (6.2.4). */
        public Builder interruptPin(int pin) {
            if (pin < 0 || pin > 4) {
                throw new IllegalArgumentException("interrupt pin must be 0 (none) or 1-4 (INTA-INTD): " + pin);
            }
            put(INTERRUPT_PIN, 1, pin);
            return this;
        }

        /** An I/O BAR of {@code size} bytes (a power of two, at least 4). */
        public Builder ioBar(int index, long size) {
            return bar(new Bar(index, PciBar.Type.IO, checkSize(size, 4, 256), false), 0x1);
        }

        /** A 32-bit memory BAR of {@code size} bytes (a power of two, at least 16). */
        public Builder memoryBar(int index, long size, boolean prefetchable) {
            return bar(new Bar(index, PciBar.Type.MMIO32, checkSize(size, 16, 1L << 31), prefetchable),
                    prefetchable ? 0x8 : 0x0);
        }

        /** A 64-bit memory BAR; it uses registers {@code index} and {@code index + 1}. */
        public Builder memoryBar64(int index, long size, boolean prefetchable) {
            if (index > BARS - 2 || index >= 0 && bars[index + 1] != null) {
                throw new IllegalArgumentException("a 64-bit BAR at " + index + " needs register " + (index + 1)
                        + " free too");
            }
            return bar(new Bar(index, PciBar.Type.MMIO64, checkSize(size, 16, 1L << 62), prefetchable),
                    0x4 | (prefetchable ? 0x8 : 0x0));
        }

        private Builder bar(Bar bar, int flags) {
            if (bar.index < 0 || bar.index >= BARS) {
                throw new IllegalArgumentException("BAR index must be 0-5: " + bar.index);
            }
            if (bars[bar.index] != null || bar.index > 0 && bars[bar.index - 1] != null
                    && bars[bar.index - 1].type == PciBar.Type.MMIO64) {
                throw new IllegalArgumentException("BAR register " + bar.index + " is taken");
            }
            bars[bar.index] = bar;
            int reg = BAR0 + 4 * bar.index;
            put(reg, 4, flags);
            long addressMask = ~(bar.size - 1);
            mask(reg, 4, (int) addressMask & (bar.type == PciBar.Type.IO ? ~0x3 : ~0xf));
            if (bar.type == PciBar.Type.MMIO64) {
                mask(reg + 4, 4, (int) (addressMask >>> 32));
            }
            return this;
        }

        /**
         * Appends a capability (PCI Local Bus 3.0, 6.7): {@code id}, then {@code body} (the
         * bytes after the ID and next-pointer bytes), with {@code writable} the guest-writable
         * bits of each body byte (null: all read-only).
         *
         * Its offset is found later with {@link PciHeader#findCapability}.
         */
        public Builder capability(int id, byte[] body, byte[] writable) {
            int at = nextCapability;
            int length = 2 + body.length;
            if (writable != null && writable.length != body.length) {
                throw new IllegalArgumentException("writable mask must be as long as the body");
            }
            if (at + length > SIZE) {
                throw new IllegalArgumentException("capability 0x" + Integer.toHexString(id) + " does not fit in "
                        + SIZE + " bytes");
            }
            put(at, 1, id);
            for (int i = 0; i < body.length; i++) {
                bytes[at + 2 + i] = body[i];
                writeMask[at + 2 + i] = writable != null ? writable[i] : 0;
            }
            if (lastCapability < 0) {
                put(CAPABILITIES_POINTER, 1, at);
                put(STATUS, 2, bytes[STATUS] & 0xff | STATUS_CAPABILITIES);
            } else {
                put(lastCapability + 1, 1, at);
            }
            lastCapability = at;
            nextCapability = (at + length + 3) & ~3; // capabilities are dword aligned (6.7)
            return this;
        }

        public PciHeader build() {
            return new PciHeader(bytes.clone(), writeMask.clone(), bars.clone());
        }

        private void put(int offset, int length, int value) {
            for (int i = 0; i < length; i++) {
                bytes[offset + i] = (byte) (value >>> (8 * i));
            }
        }

        private void mask(int offset, int length, int value) {
            for (int i = 0; i < length; i++) {
                writeMask[offset + i] = (byte) (value >>> (8 * i));
            }
        }

        private static long checkSize(long size, long min, long max) {
            if (size < min || size > max || Long.bitCount(size) != 1) {
                throw new IllegalArgumentException("BAR size must be a power of two from " + min + " to " + max
                        + ": " + size);
            }
            return size;
        }
    }
}

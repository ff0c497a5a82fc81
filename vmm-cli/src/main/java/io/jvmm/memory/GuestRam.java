package io.jvmm.memory;

import com.sun.jna.Pointer;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import io.jvmm.spi.RamRegion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Guest RAM made of host memory regions (mmap'd in production, malloc'd in tests). Implements
 * the bounds-checked {@link GuestMemory} the SPI promises; the host memory itself is owned
 * by whoever created the regions.
 *
 * <p>Every access goes through direct {@link ByteBuffer} windows made once per region, so a
 * ring index, a descriptor or a slice for {@code readv} is a plain load, store or view in
 * compiled Java: no native call and no allocation per access. (Through JNA each one was a JNI
 * call and a new {@code Pointer}; the virtio rings make several per request.) A buffer holds at
 * most 2^31-1 bytes, so a region larger than one window is several; the rare access that
 * straddles two windows is split or copied byte-wise.
 */
public final class GuestRam implements GuestMemory {
    /** 1 GiB windows: the largest power of two a ByteBuffer can hold. */
    static final int DEFAULT_WINDOW_SHIFT = 30;

    private final RamRegion[] regions;
    /** windows[i][w]: region i's bytes [w << shift, (w + 1) << shift), little-endian. */
    private final ByteBuffer[][] windows;
    private final int shift;
    private final long size;

    public GuestRam(List<RamRegion> regions) {
        this(regions, DEFAULT_WINDOW_SHIFT);
    }

    /** {@code windowShift} below 30 only in tests, to reach the straddling paths with small RAM. */
    GuestRam(List<RamRegion> regions, int windowShift) {
        List<RamRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(RamRegion::guestAddress));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).guestAddress() < sorted.get(i - 1).guestEnd()) {
                throw new IllegalArgumentException("overlapping RAM regions: " + sorted.get(i - 1) + " and " + sorted.get(i));
            }
        }
        this.regions = sorted.toArray(RamRegion[]::new);
        this.shift = windowShift;
        this.windows = new ByteBuffer[this.regions.length][];
        for (int i = 0; i < this.regions.length; i++) {
            RamRegion r = this.regions[i];
            int count = (int) ((r.size() + (1L << shift) - 1) >>> shift);
            windows[i] = new ByteBuffer[count];
            for (int w = 0; w < count; w++) {
                long offset = (long) w << shift;
                int length = (int) Math.min(1L << shift, r.size() - offset);
                windows[i][w] = new Pointer(r.hostAddress() + offset).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        this.size = sorted.stream().mapToLong(RamRegion::size).sum();
    }

    public List<RamRegion> regions() {
        return List.of(regions);
    }

    @Override
    public long size() {
        return size;
    }

    private int regionIndex(long gpa) {
        for (int i = 0; i < regions.length; i++) {
            RamRegion r = regions[i];
            if (gpa >= r.guestAddress() && gpa - r.guestAddress() < r.size()) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean isValid(long gpa, long length) {
        if (length < 0 || gpa < 0 || gpa + length < gpa) {
            return false;
        }
        long at = gpa;
        long left = length;
        while (left > 0) {
            int i = regionIndex(at);
            if (i < 0) {
                return false;
            }
            long chunk = Math.min(left, regions[i].guestEnd() - at);
            at += chunk;
            left -= chunk;
        }
        return true;
    }

    /**
     * The window holding {@code [gpa, gpa+length)} when that range lies in one window, else
     * null (it is not RAM, or it crosses a region's or a window's end). {@link #offsetIn} gives
     * the index within it.
     */
    private ByteBuffer windowOf(long gpa, int length) {
        int i = regionIndex(gpa);
        if (i < 0) {
            return null;
        }
        long offset = gpa - regions[i].guestAddress();
        ByteBuffer w = windows[i][(int) (offset >>> shift)];
        return offsetIn(gpa, i) + (long) length <= w.capacity() ? w : null;
    }

    private int offsetIn(long gpa, int region) {
        return (int) ((gpa - regions[region].guestAddress()) & ((1L << shift) - 1));
    }

    /** Index within {@link #windowOf}'s window; call only after it returned one. */
    private int offsetIn(long gpa) {
        return offsetIn(gpa, regionIndex(gpa));
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        copy(gpa, dst, offset, length, false);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        copy(gpa, src, offset, length, true);
    }

    /** Bulk copy window by window, after checking the whole range first (all or nothing). */
    private void copy(long gpa, byte[] array, int offset, int length, boolean toGuest) {
        if (!isValid(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
        long at = gpa;
        int done = 0;
        while (done < length) {
            int i = regionIndex(at);
            int in = offsetIn(at, i);
            ByteBuffer w = windows[i][(int) ((at - regions[i].guestAddress()) >>> shift)];
            int chunk = Math.min(length - done, w.capacity() - in);
            if (toGuest) {
                w.put(in, array, offset + done, chunk);
            } else {
                w.get(in, array, offset + done, chunk);
            }
            done += chunk;
            at += chunk;
        }
    }

    /** The window for a scalar access, or an exception naming the range. */
    private ByteBuffer scalar(long gpa, int length) {
        ByteBuffer w = windowOf(gpa, length);
        if (w == null && !isValid(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
        return w;
    }

    /** A little-endian value of {@code length} bytes that straddles two windows or regions. */
    private long readSplit(long gpa, int length) {
        byte[] b = new byte[length];
        copy(gpa, b, 0, length, false);
        long v = 0;
        for (int k = length - 1; k >= 0; k--) {
            v = (v << 8) | (b[k] & 0xff);
        }
        return v;
    }

    private void writeSplit(long gpa, long value, int length) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) {
            b[k] = (byte) (value >>> (8 * k));
        }
        copy(gpa, b, 0, length, true);
    }

    @Override
    public byte readByte(long gpa) {
        return scalar(gpa, 1).get(offsetIn(gpa));
    }

    @Override
    public short readShort(long gpa) {
        ByteBuffer w = scalar(gpa, 2);
        return w != null ? w.getShort(offsetIn(gpa)) : (short) readSplit(gpa, 2);
    }

    @Override
    public int readInt(long gpa) {
        ByteBuffer w = scalar(gpa, 4);
        return w != null ? w.getInt(offsetIn(gpa)) : (int) readSplit(gpa, 4);
    }

    @Override
    public long readLong(long gpa) {
        ByteBuffer w = scalar(gpa, 8);
        return w != null ? w.getLong(offsetIn(gpa)) : readSplit(gpa, 8);
    }

    @Override
    public void writeByte(long gpa, byte value) {
        scalar(gpa, 1).put(offsetIn(gpa), value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        ByteBuffer w = scalar(gpa, 2);
        if (w != null) {
            w.putShort(offsetIn(gpa), value);
        } else {
            writeSplit(gpa, value, 2);
        }
    }

    @Override
    public void writeInt(long gpa, int value) {
        ByteBuffer w = scalar(gpa, 4);
        if (w != null) {
            w.putInt(offsetIn(gpa), value);
        } else {
            writeSplit(gpa, value, 4);
        }
    }

    @Override
    public void writeLong(long gpa, long value) {
        ByteBuffer w = scalar(gpa, 8);
        if (w != null) {
            w.putLong(offsetIn(gpa), value);
        } else {
            writeSplit(gpa, value, 8);
        }
    }

    @Override
    public ByteBuffer slice(long gpa, int length) {
        if (length < 0) {
            throw new GuestMemoryException(gpa, length, "negative length");
        }
        ByteBuffer w = windowOf(gpa, length);
        if (w != null) {
            return w.slice(offsetIn(gpa), length).order(ByteOrder.LITTLE_ENDIAN);
        }
        int i = regionIndex(gpa);
        if (i < 0 || gpa + length > regions[i].guestEnd()) {
            throw new GuestMemoryException(gpa, length, "not within one RAM region");
        }
        // Across a window boundary inside one region: a view made by JNA, as before windows.
        return new Pointer(regions[i].hostAddress() + (gpa - regions[i].guestAddress()))
                .getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}

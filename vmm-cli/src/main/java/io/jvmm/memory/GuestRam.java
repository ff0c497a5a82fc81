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

    /** A direct, little-endian view of guest RAM from {@code guestStart}, at most one region's. */
    private record Window(long guestStart, ByteBuffer bytes) {
        /** The view holds {@code [gpa, gpa+length)}; {@code gpa} is at or past guestStart. */
        boolean holds(long gpa, long length) {
            return gpa - guestStart + length <= bytes.capacity();
        }

        int index(long gpa) {
            return (int) (gpa - guestStart);
        }
    }

    private final RamRegion[] regions;
    /** Every region's windows, in guest-address order. */
    private final Window[] windows;
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
        List<Window> views = new ArrayList<>();
        for (RamRegion r : this.regions) {
            for (long offset = 0; offset < r.size(); offset += 1L << windowShift) {
                int length = (int) Math.min(1L << windowShift, r.size() - offset);
                views.add(new Window(r.guestAddress() + offset,
                        new Pointer(r.hostAddress() + offset).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN)));
            }
        }
        this.windows = views.toArray(Window[]::new);
        this.size = sorted.stream().mapToLong(RamRegion::size).sum();
    }

    public List<RamRegion> regions() {
        return List.of(regions);
    }

    @Override
    public long size() {
        return size;
    }

    /** The window that holds byte {@code gpa}, or null when it is not RAM. */
    private Window windowAt(long gpa) {
        for (Window w : windows) {
            if (gpa >= w.guestStart() && w.holds(gpa, 1)) {
                return w;
            }
        }
        return null;
    }

    private RamRegion regionAt(long gpa) {
        for (RamRegion r : regions) {
            if (gpa >= r.guestAddress() && gpa - r.guestAddress() < r.size()) {
                return r;
            }
        }
        return null;
    }

    @Override
    public boolean isValid(long gpa, long length) {
        if (length < 0 || gpa < 0 || gpa + length < gpa) {
            return false;
        }
        long at = gpa;
        long left = length;
        while (left > 0) {
            RamRegion r = regionAt(at);
            if (r == null) {
                return false;
            }
            long chunk = Math.min(left, r.guestEnd() - at);
            at += chunk;
            left -= chunk;
        }
        return true;
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
            Window w = windowAt(at);
            int chunk = Math.min(length - done, w.bytes().capacity() - w.index(at));
            if (toGuest) {
                w.bytes().put(w.index(at), array, offset + done, chunk);
            } else {
                w.bytes().get(w.index(at), array, offset + done, chunk);
            }
            done += chunk;
            at += chunk;
        }
    }

    /**
     * The window for a scalar access when the value lies in one window; null when it straddles
     * two windows or regions (then the caller splits it); an exception when it is not RAM.
     */
    private Window scalar(long gpa, int length) {
        Window w = windowAt(gpa);
        if (w != null && w.holds(gpa, length)) {
            return w;
        }
        if (!isValid(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
        return null;
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
        Window w = scalar(gpa, 1);
        return w.bytes().get(w.index(gpa));
    }

    @Override
    public short readShort(long gpa) {
        Window w = scalar(gpa, 2);
        return w != null ? w.bytes().getShort(w.index(gpa)) : (short) readSplit(gpa, 2);
    }

    @Override
    public int readInt(long gpa) {
        Window w = scalar(gpa, 4);
        return w != null ? w.bytes().getInt(w.index(gpa)) : (int) readSplit(gpa, 4);
    }

    @Override
    public long readLong(long gpa) {
        Window w = scalar(gpa, 8);
        return w != null ? w.bytes().getLong(w.index(gpa)) : readSplit(gpa, 8);
    }

    @Override
    public void writeByte(long gpa, byte value) {
        Window w = scalar(gpa, 1);
        w.bytes().put(w.index(gpa), value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        Window w = scalar(gpa, 2);
        if (w != null) {
            w.bytes().putShort(w.index(gpa), value);
        } else {
            writeSplit(gpa, value, 2);
        }
    }

    @Override
    public void writeInt(long gpa, int value) {
        Window w = scalar(gpa, 4);
        if (w != null) {
            w.bytes().putInt(w.index(gpa), value);
        } else {
            writeSplit(gpa, value, 4);
        }
    }

    @Override
    public void writeLong(long gpa, long value) {
        Window w = scalar(gpa, 8);
        if (w != null) {
            w.bytes().putLong(w.index(gpa), value);
        } else {
            writeSplit(gpa, value, 8);
        }
    }

    @Override
    public ByteBuffer slice(long gpa, int length) {
        if (length < 0) {
            throw new GuestMemoryException(gpa, length, "negative length");
        }
        Window w = windowAt(gpa);
        if (w != null && w.holds(gpa, length)) {
            return w.bytes().slice(w.index(gpa), length).order(ByteOrder.LITTLE_ENDIAN);
        }
        RamRegion r = regionAt(gpa);
        if (r == null || gpa + length > r.guestEnd()) {
            throw new GuestMemoryException(gpa, length, "not within one RAM region");
        }
        // Across a window boundary inside one region: a view made by JNA, as before windows.
        return new Pointer(r.hostAddress() + (gpa - r.guestAddress())).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}

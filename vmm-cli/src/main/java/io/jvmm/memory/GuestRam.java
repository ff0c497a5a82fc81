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
 */
public final class GuestRam implements GuestMemory {
    private final RamRegion[] regions;
    private final long size;

    public GuestRam(List<RamRegion> regions) {
        List<RamRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(RamRegion::guestAddress));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).guestAddress() < sorted.get(i - 1).guestEnd()) {
                throw new IllegalArgumentException("overlapping RAM regions: " + sorted.get(i - 1) + " and " + sorted.get(i));
            }
        }
        this.regions = sorted.toArray(RamRegion[]::new);
        this.size = sorted.stream().mapToLong(RamRegion::size).sum();
    }

    public List<RamRegion> regions() {
        return List.of(regions);
    }

    @Override
    public long size() {
        return size;
    }

    private RamRegion regionOf(long gpa) {
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
            RamRegion r = regionOf(at);
            if (r == null) {
                return false;
            }
            long chunk = Math.min(left, r.guestEnd() - at);
            at += chunk;
            left -= chunk;
        }
        return true;
    }

    private void check(long gpa, long length) {
        if (!isValid(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "not guest RAM");
        }
    }

    /** Host pointer for a range that {@link #check} has accepted and that lies in one region. */
    private Pointer hostPointer(long gpa, long length) {
        RamRegion r = regionOf(gpa);
        if (r == null || gpa + length > r.guestEnd()) {
            throw new GuestMemoryException(gpa, length, "not within one RAM region");
        }
        return new Pointer(r.hostAddress() + (gpa - r.guestAddress()));
    }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) {
        copy(gpa, dst, offset, length, false);
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        copy(gpa, src, offset, length, true);
    }

    /** Bulk copy region by region, after checking the whole range first (all or nothing). */
    private void copy(long gpa, byte[] array, int offset, int length, boolean toGuest) {
        java.util.Objects.checkFromIndexSize(offset, length, array.length);
        check(gpa, length);
        long at = gpa;
        int done = 0;
        while (done < length) {
            RamRegion r = regionOf(at);
            int chunk = (int) Math.min(length - done, r.guestEnd() - at);
            Pointer host = new Pointer(r.hostAddress() + (at - r.guestAddress()));
            if (toGuest) {
                host.write(0, array, offset + done, chunk);
            } else {
                host.read(0, array, offset + done, chunk);
            }
            done += chunk;
            at += chunk;
        }
    }

    @Override
    public byte readByte(long gpa) {
        return hostPointer(gpa, 1).getByte(0);
    }

    @Override
    public short readShort(long gpa) {
        return hostPointer(gpa, 2).getShort(0);
    }

    @Override
    public int readInt(long gpa) {
        return hostPointer(gpa, 4).getInt(0);
    }

    @Override
    public long readLong(long gpa) {
        return hostPointer(gpa, 8).getLong(0);
    }

    @Override
    public void writeByte(long gpa, byte value) {
        hostPointer(gpa, 1).setByte(0, value);
    }

    @Override
    public void writeShort(long gpa, short value) {
        hostPointer(gpa, 2).setShort(0, value);
    }

    @Override
    public void writeInt(long gpa, int value) {
        hostPointer(gpa, 4).setInt(0, value);
    }

    @Override
    public void writeLong(long gpa, long value) {
        hostPointer(gpa, 8).setLong(0, value);
    }

    @Override
    public ByteBuffer slice(long gpa, int length) {
        if (length < 0) {
            throw new GuestMemoryException(gpa, length, "negative length");
        }
        return hostPointer(gpa, length).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}

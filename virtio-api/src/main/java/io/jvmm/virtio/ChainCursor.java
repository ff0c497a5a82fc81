package io.jvmm.virtio;

import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A position within a run of chain buffers; the shared half of {@link ChainReader} and
 * {@link ChainWriter}. The buffers are the chain's own arrays, entries {@code [first, end)}.
 */
abstract class ChainCursor {
    final GuestMemory memory;
    private final long[] addresses;
    private final int[] lengths;
    private final int end;
    private final long total;
    private int buffer;
    private int offset;
    private long position;

    ChainCursor(GuestMemory memory, long[] addresses, int[] lengths, int first, int end, long total) {
        this.memory = memory;
        this.addresses = addresses;
        this.lengths = lengths;
        this.buffer = first;
        this.end = end;
        this.total = total;
    }

    /** Bytes left before the end of the buffers. */
    public int remaining() {
        return (int) Math.min(Integer.MAX_VALUE, total - position);
    }

    /** Bytes passed so far. */
    public long position() {
        return position;
    }

    /** Moves forward {@code n} bytes without touching them. */
    public void skip(long n) {
        require(n);
        walk(n, null);
    }

    /**
     * Direct views of the next {@code min(maxBytes, remaining())} bytes, one per buffer piece,
     * for zero-copy scatter/gather I/O (e.g. {@code FileChannel.read(ByteBuffer[])}). The cursor
     * moves past them.
     */
    public ByteBuffer[] slices(int maxBytes) {
        long n = Math.min(maxBytes, total - position);
        List<ByteBuffer> out = new ArrayList<>();
        walk(n, (gpa, len, done) -> out.add(guard(gpa, len, () -> memory.slice(gpa, len))));
        return out.toArray(ByteBuffer[]::new);
    }

    void require(long n) {
        if (n < 0 || n > total - position) {
            throw new BadChainException("request needs " + n + " more bytes, chain has " + (total - position));
        }
    }

    /** Visits the next {@code n} bytes as (guest address, length, bytes before this piece). */
    void walk(long n, Piece piece) {
        long done = 0;
        while (done < n && buffer < end) {
            int len = (int) Math.min(lengths[buffer] - offset, n - done);
            if (len > 0 && piece != null) {
                piece.accept(addresses[buffer] + offset, len, (int) done);
            }
            done += len;
            offset += len;
            position += len;
            if (offset == lengths[buffer]) {
                buffer++;
                offset = 0;
            }
        }
    }

    static <T> T guard(long gpa, int len, java.util.function.Supplier<T> access) {
        try {
            return access.get();
        } catch (GuestMemoryException e) {
            throw new BadChainException("chain buffer not in guest RAM: 0x" + Long.toHexString(gpa) + "+" + len, e);
        }
    }

    interface Piece {
        void accept(long gpa, int len, int done);
    }
}

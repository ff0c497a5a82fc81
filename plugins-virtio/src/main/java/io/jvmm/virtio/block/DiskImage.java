package io.jvmm.virtio.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.jvmm.spi.DeviceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw disk image: a regular file or a host block device, opened once and locked against a
 * second writer. Every method takes an absolute byte offset and is safe to call from several
 * workers at once (positioned I/O only).
 *
 * <p>With {@code direct} the image is opened a second time with {@code O_DIRECT} through JNA;
 * requests whose guest buffers are 512-byte aligned (what Linux guests send for page-cache and
 * most user I/O) go through it straight from guest RAM, bypassing the host page cache. Other
 * requests, and any the file system refuses with EINVAL (e.g. one that wants 4 KiB alignment),
 * go through the buffered descriptor; Linux keeps the two coherent (it writes back and
 * invalidates the page-cache range around each direct I/O).
 */
final class DiskImage implements AutoCloseable {
    static final int SECTOR = 512;
    private static final Logger LOG = LoggerFactory.getLogger(DiskImage.class);
    private static final int DIRECT_ALIGN = 512;
    /** A zero buffer for WRITE_ZEROES where the file system cannot zero a range itself. */
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path path;
    private final boolean readOnly;
    private final int fd;
    private final int directFd;
    private final long size;
    private volatile boolean canPunchHole = true;
    private volatile boolean canZeroRange = true;
    private Memory zeros;
    private boolean closed;

    private DiskImage(Path path, boolean readOnly, int fd, int directFd, long size) {
        this.path = path;
        this.readOnly = readOnly;
        this.fd = fd;
        this.directFd = directFd;
        this.size = size;
    }

    /**
     * Opens and locks the image ({@code flock}: shared when read-only, exclusive otherwise, so
     * two VMs cannot write one image).
     *
     * @throws DeviceException with what the user should do when the image cannot be used
     */
    static DiskImage open(Path path, boolean readOnly, boolean direct) throws DeviceException {
        if (Files.isDirectory(path)) {
            throw new DeviceException("disk image " + path + " is a directory: point 'path' at a raw image file");
        }
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC;
        int fd = openOrExplain(path, flags, readOnly, false);
        int directFd = -1;
        try {
            lock(fd, path, readOnly);
            if (direct) {
                directFd = openOrExplain(path, flags | LibC.O_DIRECT, readOnly, true);
            }
            long size = LibC.lseek(fd, 0, LibC.SEEK_END);
            return new DiskImage(path, readOnly, fd, directFd, size);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            closeQuietly(directFd);
            throw new DeviceException("cannot use disk image " + path + ": " + LibC.strerror(e.getErrorCode()), e);
        } catch (DeviceException e) {
            closeQuietly(fd);
            closeQuietly(directFd);
            throw e;
        }
    }

    private static int openOrExplain(Path path, int flags, boolean readOnly, boolean direct) throws DeviceException {
        try {
            return LibC.open(path.toString(), flags, 0);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            String what = "cannot open disk image " + path + ": " + LibC.strerror(errno);
            String hint = switch (errno) {
                case LibC.ENOENT -> "the file does not exist: create it (e.g. 'truncate -s 1G " + path
                        + "') or fix 'path'";
                case LibC.EACCES, LibC.EPERM, LibC.EROFS -> readOnly
                        ? "check the file's permissions"
                        : "jvmm needs to write it: fix its permissions, or set readonly = true";
                case LibC.EISDIR -> "it is a directory: point 'path' at a raw image file";
                case LibC.EINVAL -> direct
                        ? "its file system does not support direct I/O (O_DIRECT): set direct = false"
                        : "check the path";
                default -> "check the path and its permissions";
            };
            throw new DeviceException(what + " (" + hint + ")", e);
        }
    }

    private static void lock(int fd, Path path, boolean readOnly) throws DeviceException {
        try {
            LibC.flock(fd, (readOnly ? LibC.LOCK_SH : LibC.LOCK_EX) | LibC.LOCK_NB);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EAGAIN) {
                throw new DeviceException("disk image " + path + " is in use (locked by another VM or device): "
                        + "stop the other user, or give this disk readonly = true on both", e);
            }
            throw new DeviceException("cannot lock disk image " + path + ": " + LibC.strerror(e.getErrorCode()), e);
        }
    }

    Path path() {
        return path;
    }

    boolean readOnly() {
        return readOnly;
    }

    boolean direct() {
        return directFd >= 0;
    }

    /** Size in bytes when opened. */
    long size() {
        return size;
    }

    /** Reads {@code iov.bytes()} bytes at {@code offset} into the vector's buffers. */
    void read(IoVec iov, long offset) throws IOException {
        transfer(iov, offset, false);
    }

    /** Writes the vector's bytes at {@code offset}. */
    void write(IoVec iov, long offset) throws IOException {
        transfer(iov, offset, true);
    }

    private void transfer(IoVec iov, long offset, boolean write) throws IOException {
        try {
            int useFd = directFd >= 0 && offset % DIRECT_ALIGN == 0 && iov.aligned(DIRECT_ALIGN) ? directFd : fd;
            long at = offset;
            while (iov.bytes() > 0) {
                long n;
                try {
                    int cnt = Math.min(iov.count(), IoVec.IOV_MAX);
                    n = write ? LibC.pwritev(useFd, iov.pointer(), cnt, at) : LibC.preadv(useFd, iov.pointer(), cnt, at);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == LibC.EINTR) {
                        continue;
                    }
                    if (e.getErrorCode() == LibC.EINVAL && useFd == directFd && useFd != fd) {
                        useFd = fd; // the file system wants stricter alignment than the guest gave
                        continue;
                    }
                    throw new IOException((write ? "pwritev" : "preadv") + " at " + at + ": "
                            + LibC.strerror(e.getErrorCode()), e);
                }
                if (n == 0) {
                    throw new IOException("image ended at byte " + at + " (was it truncated while in use?)");
                }
                iov.consume(n);
                at += n;
            }
        } finally {
            iov.keepAlive();
        }
    }

    /** Makes written data durable (VIRTIO_BLK_T_FLUSH). */
    void flush() throws IOException {
        try {
            LibC.fdatasync(fd);
        } catch (LastErrorException e) {
            throw new IOException("fdatasync: " + LibC.strerror(e.getErrorCode()), e);
        }
    }

    /**
     * Deallocates a range (VIRTIO_BLK_T_DISCARD) by punching a hole. Where the file system
     * cannot (9p, some FUSE file systems), the range is zeroed by hand instead, so discarded
     * data is gone either way; that costs a write of the whole range.
     */
    void discard(long offset, long length) throws IOException {
        if (!punchHole(offset, length)) {
            writeZeroes(offset, length, false);
        }
    }

    /**
     * Makes a range read back as zeroes (VIRTIO_BLK_T_WRITE_ZEROES): a hole when {@code unmap}
     * is allowed, else FALLOC_FL_ZERO_RANGE (keeps the blocks allocated); zeroes written by
     * hand where the file system supports neither.
     */
    void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        if (unmap && punchHole(offset, length)) {
            return;
        }
        if (canZeroRange) {
            try {
                LibC.fallocate(fd, LibC.FALLOC_FL_ZERO_RANGE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
                return;
            } catch (LastErrorException e) {
                if (!unsupported(e)) {
                    throw new IOException("fallocate(ZERO_RANGE): " + LibC.strerror(e.getErrorCode()), e);
                }
                canZeroRange = false;
            }
        }
        writeZeroBytes(offset, length);
    }

    /** @return false when the file system cannot punch holes */
    private boolean punchHole(long offset, long length) throws IOException {
        if (!canPunchHole) {
            return false;
        }
        try {
            LibC.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            if (unsupported(e)) {
                canPunchHole = false;
                LOG.info("{}: the file system cannot punch holes; discards and "
                        + "write-zeroes write zeroes instead", path);
                return false;
            }
            throw new IOException("fallocate(PUNCH_HOLE): " + LibC.strerror(e.getErrorCode()), e);
        }
    }

    private static boolean unsupported(LastErrorException e) {
        return e.getErrorCode() == LibC.EOPNOTSUPP || e.getErrorCode() == LibC.ENOSYS;
    }

    private void writeZeroBytes(long offset, long length) throws IOException {
        Memory z = zeroBuffer();
        long at = offset;
        long end = offset + length;
        while (at < end) {
            try {
                at += LibC.pwrite(fd, z, Math.min(ZERO_CHUNK, end - at), at);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new IOException("pwrite (zeroes) at " + at + ": " + LibC.strerror(e.getErrorCode()), e);
                }
            }
        }
    }

    private synchronized Memory zeroBuffer() {
        if (zeros == null) {
            zeros = new Memory(ZERO_CHUNK);
            zeros.clear();
        }
        return zeros;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(directFd);
        closeQuietly(fd); // also drops the flock
    }

    private static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // Nothing useful to do: the descriptor is gone either way.
        }
    }
}

package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * VFIO type1 pins every DMA-mapped page and charges it to the process's RLIMIT_MEMLOCK unless
 * the process has CAP_IPC_LOCK (drivers/vfio/vfio_iommu_type1.c, vfio_lock_acct). Checking up
 * front turns a late ENOMEM into a message that says which limit to raise.
 *
 * @param limit         RLIMIT_MEMLOCK's soft limit in bytes; negative means unlimited
 * @param capIpcLock    whether the process has CAP_IPC_LOCK (root normally has)
 */
public record LockedMemoryLimit(long limit, boolean capIpcLock) {
    /** CAP_IPC_LOCK, bit 14 of the capability sets (include/uapi/linux/capability.h). */
    private static final int CAP_IPC_LOCK = 14;

    /** This process's limit and capability. */
    public static LockedMemoryLimit ofThisProcess() {
        long[] rlimit = new long[2];
        long limit;
        try {
            LibC.getrlimit(LibC.RLIMIT_MEMLOCK, rlimit);
            limit = rlimit[0];
        } catch (LastErrorException e) {
            limit = -1;
        }
        return new LockedMemoryLimit(limit, hasCapIpcLock(Path.of("/proc/self/status")));
    }

    static boolean hasCapIpcLock(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps & (1L << CAP_IPC_LOCK)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return true; // Cannot tell: let the kernel decide and explain its ENOMEM instead.
        }
        return true;
    }

    /** Why pinning {@code bytes} of guest RAM will fail, or empty when it can work. */
    public Optional<String> problem(long bytes) {
        if (capIpcLock || limit < 0 || limit >= bytes) {
            return Optional.empty();
        }
        return Optional.of(message(bytes));
    }

    /** The message for a limit too low for {@code bytes}. */
    public String message(long bytes) {
        return "the locked-memory limit (RLIMIT_MEMLOCK, 'ulimit -l') is " + human(Math.max(limit, 0))
                + " but VFIO must pin all " + human(bytes) + " of guest RAM for the device's DMA; raise it "
                + "(ulimit -l unlimited in the shell, LimitMEMLOCK=infinity for a systemd service, or memlock "
                + "in /etc/security/limits.conf) or run jvmm as root";
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}

package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.jvmm.spi.DeviceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux tap interface opened from {@code /dev/net/tun} with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR: every frame read or written is preceded by a virtio-net header, so checksum
 * and segmentation offloads pass between the guest and the host stack untouched
 * (Documentation/networking/tuntap.rst; linux/if_tun.h). The descriptor is non-blocking.
 */
final class Tap implements AutoCloseable {
    /** linux/if_tun.h ioctls: _IOW('T', 202, int) etc. */
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETFEATURES = 0x800454cfL;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    /** TUNSETOFFLOAD flags: what the host may hand us (i.e. what the guest can receive). */
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    static final int TUN_F_UFO = 0x10;
    /** IFNAMSIZ - 1. */
    static final int MAX_NAME = 15;
    private static final int IFREQ_SIZE = 40;
    private static final Path TUN = Path.of("/dev/net/tun");

    private final String name;
    private final int fd;
    private final boolean created;
    private boolean closed;

    private Tap(String name, int fd, boolean created) {
        this.name = name;
        this.fd = fd;
        this.created = created;
    }

    /**
     * Attaches to tap {@code name} (creating a transient one if none exists, which needs
     * CAP_NET_ADMIN) and sets the virtio-net header size.
     *
     * @throws DeviceException saying what to do when the tap cannot be had
     */
    static Tap open(String name, int vnetHeaderSize) throws DeviceException {
        boolean existed = Files.exists(Path.of("/sys/class/net", name));
        int fd;
        try {
            fd = LibC.open(TUN.toString(), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new DeviceException(switch (e.getErrorCode()) {
                case LibC.ENOENT, LibC.ENODEV, LibC.ENXIO -> "/dev/net/tun is missing: load the tun module "
                        + "('modprobe tun'), or create the node ('mkdir -p /dev/net && mknod /dev/net/tun c 10 200')";
                case LibC.EACCES, LibC.EPERM -> "no permission to open /dev/net/tun: run jvmm as root or give "
                        + "its user access to /dev/net/tun";
                default -> "cannot open /dev/net/tun: " + LibC.strerror(e.getErrorCode());
            }, e);
        }
        try {
            try (Memory ifr = new Memory(IFREQ_SIZE)) {
                ifr.clear();
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                ifr.write(0, n, 0, n.length);
                ifr.setShort(16, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
                LibC.ioctl(fd, new NativeLong(TUNSETIFF), ifr);
            } catch (LastErrorException e) {
                throw new DeviceException(explainSetIff(name, existed, e.getErrorCode()), e);
            }
            try (Memory size = new Memory(4)) {
                size.setInt(0, vnetHeaderSize);
                LibC.ioctl(fd, new NativeLong(TUNSETVNETHDRSZ), size);
            } catch (LastErrorException e) {
                throw new DeviceException("tap " + name + ": cannot set the virtio-net header size ("
                        + LibC.strerror(e.getErrorCode()) + "): the host kernel is too old for virtio 1.x headers", e);
            }
            return new Tap(name, fd, !existed);
        } catch (DeviceException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    static String explainSetIff(String name, boolean existed, int errno) {
        return switch (errno) {
            case LibC.EPERM -> "no permission to " + (existed ? "attach to" : "create") + " tap " + name
                    + ": that needs CAP_NET_ADMIN. Run jvmm as root, or create the tap for jvmm's user first: "
                    + "'ip tuntap add dev " + name + " mode tap user $USER'";
            case LibC.EBUSY -> "tap " + name + " is busy: another process (another VM?) has it open. Stop that "
                    + "process or give this VM its own tap";
            case LibC.EINVAL -> "interface " + name + " exists but is not a tap with virtio-net headers (a tun "
                    + "device, or another kind of interface): pick a tap name, or recreate it with "
                    + "'ip tuntap add dev " + name + " mode tap'";
            default -> "cannot attach to tap " + name + ": " + LibC.strerror(errno);
        };
    }

    String name() {
        return name;
    }

    int fd() {
        return fd;
    }

    /** Whether this process created the tap (it disappears when closed). */
    boolean created() {
        return created;
    }

    /** Sets what the host may send us, as TUN_F_* bits (0 = only plain, checksummed frames). */
    void setOffload(int tunFlags) throws IOException {
        try {
            LibC.ioctl(fd, new NativeLong(TUNSETOFFLOAD), Integer.toUnsignedLong(tunFlags));
        } catch (LastErrorException e) {
            throw new IOException("TUNSETOFFLOAD 0x" + Integer.toHexString(tunFlags) + " on " + name + ": "
                    + LibC.strerror(e.getErrorCode()), e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // The descriptor is gone either way.
        }
    }

    @Override
    public String toString() {
        return "tap " + name;
    }
}

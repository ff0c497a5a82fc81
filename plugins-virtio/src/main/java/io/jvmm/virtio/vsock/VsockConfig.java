package io.jvmm.virtio.vsock;

import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A {@code virtio-vsock} device's settings.
 *
 * <pre>
 * [[device]]
 * type = "virtio-vsock"
 * cid = 3                  # the guest's context id: 3 to 2^32-2 (0-2 are reserved, -1 is "any")
 * socket = "vm.vsock"      # jvmm listens here for host-to-guest connections ("CONNECT port\n");
 *                          # a guest connecting to host port P reaches the listener at vm.vsock_P
 * </pre>
 *
 * @param cid    the guest CID
 * @param socket the host Unix socket path
 */
record VsockConfig(long cid, Path socket) {
    /** 0 hypervisor, 1 local, 2 host (virtio 1.2, 5.10.4); the guest has one above. */
    static final long MIN_CID = 3;
    /** 2^32-1 is VMADDR_CID_ANY. */
    static final long MAX_CID = 0xFFFF_FFFEL;
    /** sun_path holds 108 bytes with the NUL; the per-port paths add "_" and up to 10 digits. */
    static final int MAX_PATH = 107 - 11;

    static VsockConfig from(DeviceConfig config) {
        long cid = config.integer("cid").orElseThrow(() -> new DeviceConfigException("cid",
                "is required (the guest's context id, 3 or more)"));
        Path socket = config.requirePath("socket");
        if (cid < MIN_CID || cid > MAX_CID) {
            throw new DeviceConfigException("cid", "= " + cid + ": expected " + MIN_CID + " to " + MAX_CID
                    + " (0, 1 and 2 are reserved, 2 is the host)");
        }
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new DeviceConfigException("socket", "= \"" + socket + "\" is longer than " + MAX_PATH
                    + " bytes; with \"_<port>\" added it would not fit a Unix socket address");
        }
        Path parent = socket.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new DeviceConfigException("socket", "= \"" + socket + "\": the directory " + parent
                    + " does not exist");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new DeviceConfigException("socket", "= \"" + socket + "\": cannot look at it: " + e.getMessage());
            }
            // A socket is neither file, directory nor link; one left by an earlier run is replaced.
            if (!a.isOther()) {
                throw new DeviceConfigException("socket", "= \"" + socket + "\" exists and is not a socket: "
                        + "remove it or pick another path");
            }
        }
        return new VsockConfig(cid, socket);
    }
}

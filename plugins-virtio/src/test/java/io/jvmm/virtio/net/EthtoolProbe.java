package io.jvmm.virtio.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * Reads an interface's offload state the way {@code ethtool -k} does (SIOCETHTOOL with the
 * legacy ETHTOOL_GTXCSUM / ETHTOOL_GTSO commands), to check what TUNSETOFFLOAD did to a tap.
 */
final class EthtoolProbe {
    private interface C extends Library {
        C LIB = Native.load(Platform.C_LIBRARY_NAME, C.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final long SIOCETHTOOL = 0x8946;
    static final int ETHTOOL_GTXCSUM = 0x16;
    static final int ETHTOOL_GTSO = 0x1e;

    private EthtoolProbe() {
    }

    /** The value of a legacy ethtool get command on interface {@code name}. */
    static int get(String name, int command) {
        int sock = C.LIB.socket(2, 2, 0);
        try (Memory value = new Memory(8); Memory ifr = new Memory(40)) {
            value.setInt(0, command);
            value.setInt(4, 0);
            ifr.clear();
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.write(0, n, 0, n.length);
            ifr.setPointer(16, value);
            C.LIB.ioctl(sock, SIOCETHTOOL, ifr);
            return value.getInt(4);
        } finally {
            C.LIB.close(sock);
        }
    }
}

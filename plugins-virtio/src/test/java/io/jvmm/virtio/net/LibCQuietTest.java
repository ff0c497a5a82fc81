package io.jvmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

/** {@link LibC.Quiet}: failures come back as -1 with errno kept, which the receive worker relies on. */
class LibCQuietTest {
    private interface Sockets extends Library {
        Sockets C = Native.load("c", Sockets.class);

        int socketpair(int domain, int type, int protocol, int[] fds);

        long write(int fd, byte[] buf, long count);

        int close(int fd);
    }

    @Test
    void aReadOfAnEmptyNonBlockingSocketIsMinusOneWithEagainAndThenReadsTheFrame() {
        int[] pair = new int[2];
        assertThat(Sockets.C.socketpair(1 /* AF_UNIX */, 5 /* SOCK_SEQPACKET */ | 04000 /* SOCK_NONBLOCK */, 0, pair)).isZero();
        try (Memory buf = new Memory(64)) {
            assertThat(LibC.Quiet.read(pair[0], buf, 64)).isEqualTo(-1);
            assertThat(Native.getLastError()).isEqualTo(LibC.EAGAIN);

            assertThat(Sockets.C.write(pair[1], new byte[] {7, 8, 9}, 3)).isEqualTo(3);
            assertThat(LibC.Quiet.read(pair[0], buf, 64)).isEqualTo(3);
            assertThat(buf.getByteArray(0, 3)).containsExactly(7, 8, 9);

            assertThat(LibC.Quiet.read(-1, buf, 64)).isEqualTo(-1);
            assertThat(Native.getLastError()).isEqualTo(LibC.EBADF);
        } finally {
            Sockets.C.close(pair[0]);
            Sockets.C.close(pair[1]);
        }
    }
}

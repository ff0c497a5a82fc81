package io.jvmm.virtio.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link IoVec}: the native {@code struct iovec} array a frame is written from. */
class IoVecTest {
    private static long address(ByteBuffer b) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(b));
    }

    @Test
    void entriesPastTheFirstArrayKeepTheEarlierOnesAndSkipEmptyViews() {
        ByteBuffer ram = ByteBuffer.allocateDirect(4096);
        IoVec iov = new IoVec();
        ByteBuffer[] views = new ByteBuffer[200];
        for (int i = 0; i < views.length; i++) {
            views[i] = i % 3 == 0 ? ram.slice(i * 20, 0) : ram.slice(i * 20, 7).position(i % 2);
        }
        assertThat(iov.add(views)).isTrue();
        int expected = 0;
        long bytes = 0;
        for (int i = 0; i < views.length; i++) {
            if (views[i].remaining() == 0) {
                continue;
            }
            assertThat(iov.pointer().getLong(16L * expected)).as("base %d", i).isEqualTo(address(ram) + i * 20 + i % 2);
            assertThat(iov.pointer().getLong(16L * expected + 8)).as("len %d", i).isEqualTo(7 - i % 2);
            expected++;
            bytes += 7 - i % 2;
        }
        assertThat(iov.count()).isEqualTo(expected).isGreaterThan(64);
        assertThat(iov.bytes()).isEqualTo(bytes);
        iov.clear();
        assertThat(iov.count()).isZero();
        assertThat(iov.bytes()).isZero();
    }

    @Test
    void stopsAtIovMaxAndRefusesHeapBuffers() {
        ByteBuffer ram = ByteBuffer.allocateDirect(IoVec.IOV_MAX + 1);
        ByteBuffer[] views = new ByteBuffer[IoVec.IOV_MAX + 1];
        for (int i = 0; i < views.length; i++) {
            views[i] = ram.slice(i, 1);
        }
        IoVec iov = new IoVec();
        assertThat(iov.add(views)).isFalse();
        assertThat(iov.count()).isEqualTo(IoVec.IOV_MAX);
        assertThatThrownBy(() -> new IoVec().add(new ByteBuffer[] {ByteBuffer.allocate(4)}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

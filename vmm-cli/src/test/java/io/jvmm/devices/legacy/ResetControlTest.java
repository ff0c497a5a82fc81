package io.jvmm.devices.legacy;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ResetControlTest {
    private final AtomicInteger resets = new AtomicInteger();
    private final ResetControl reset = new ResetControl(resets::incrementAndGet);

    @Test
    void fadtResetValueResets() {
        reset.write(0, new byte[] {0x06});
        assertThat(resets).hasValue(1);
    }

    @Test
    void linuxRebootPciSequenceResetsOnce() {
        reset.write(0, new byte[] {0x02});
        byte[] data = new byte[1];
        reset.read(0, data);
        assertThat(data[0]).isEqualTo((byte) 0x02);
        assertThat(resets).hasValue(0);
        reset.write(0, new byte[] {0x0e});
        assertThat(resets).hasValue(1);
        reset.read(0, data);
        assertThat(data[0] & 0x04).as("RST_CPU clears itself").isZero();
    }

    @Test
    void wideAccessesAreNotTheRegister() {
        reset.write(0, new byte[] {0x06, 0, 0, 0});
        assertThat(resets).hasValue(0);
        assertThat(reset.regions()).singleElement().satisfies(r -> assertThat(r.base()).isEqualTo(0xcf9));
    }
}

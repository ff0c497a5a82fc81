package io.jvmm.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissedAccessesTest {
    @Test
    void anAddressIsRememberedOnceAndPortsAndMmioAreApart() {
        MissedAccesses m = new MissedAccesses();
        m.miss(0, true, 0x80);
        m.miss(1, true, 0x80);
        m.miss(0, false, 0x80);
        assertThat(m.logged()).isEqualTo(2);
        assertThat(m.unlogged()).isZero();
    }

    @Test
    void vcpusRacingOverDistinctAddressesNeverRememberMoreThanTheLimit() throws Exception {
        MissedAccesses m = new MissedAccesses();
        List<Thread> vcpus = new ArrayList<>();
        for (int v = 0; v < 4; v++) {
            int vcpu = v;
            vcpus.add(new Thread(() -> {
                for (long a = 0; a < 10_000; a++) {
                    m.miss(vcpu, false, (long) vcpu << 32 | a);
                }
            }));
        }
        vcpus.forEach(Thread::start);
        for (Thread t : vcpus) {
            t.join();
        }
        assertThat(m.logged()).isEqualTo(MissedAccesses.LOGGED);
        assertThat(m.unlogged()).isEqualTo(40_000 - MissedAccesses.LOGGED);
    }
}

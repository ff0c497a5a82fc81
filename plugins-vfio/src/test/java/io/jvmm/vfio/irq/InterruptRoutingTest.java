package io.jvmm.vfio.irq;

import io.jvmm.vfio.FakeBackend;
import io.jvmm.vfio.FakeVmm;
import io.jvmm.vfio.pci.MsiMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InterruptRoutingTest {
    private FakeBackend device;
    private FakeVmm vmm;
    private InterruptRouting routing;

    @BeforeEach
    void start() {
        device = FakeBackend.nvmeLike();
        vmm = new FakeVmm();
        routing = new InterruptRouting(device, vmm.interrupts, vmm.interrupts.intxIrqFd());
        routing.start();
    }

    private static MsiMessage msg(int data) {
        return new MsiMessage(0xfee0_0000L, data, false);
    }

    @Test
    void startsInIntx() {
        assertThat(routing.mode()).isEqualTo(InterruptRouting.Mode.INTX);
        assertThat(device.calls).containsExactly("enable 0 [" + vmm.intx.trigger.fd() + "]",
                "unmask-on 0 " + vmm.intx.resample.fd());
    }

    @Test
    void aNewMsiVectorCountReenablesMsiWithThatManyEventfds() {
        routing.msi(true, List.of(msg(0x40)));
        routing.msi(true, List.of(msg(0x40), msg(0x41)));

        assertThat(device.calls.subList(2, device.calls.size())).containsExactly("disable 0",
                "enable 1 [" + vmm.vectors.get(0).eventFd.fd() + "]", "disable 1",
                "enable 1 [" + vmm.vectors.get(0).eventFd.fd() + ", " + vmm.vectors.get(1).eventFd.fd() + "]");
        assertThat(routing.mode()).isEqualTo(InterruptRouting.Mode.MSI);
    }

    @Test
    void reprogrammingAnEnabledVectorOnlyUpdatesItsRoute() {
        routing.msix(true, List.of(msg(0x40), msg(0x41)));
        int calls = device.calls.size();
        routing.msix(true, List.of(msg(0x40), msg(0x51)));

        assertThat(device.calls).hasSize(calls);
        assertThat(vmm.vectors.get(0).updates).containsExactly("0xfee00000/0x40");
        assertThat(vmm.vectors.get(1).updates).containsExactly("0xfee00000/0x41", "0xfee00000/0x51");
    }

    @Test
    void leavingMsixMasksItsVectorsSoNothingStrayArrives() {
        routing.msix(true, List.of(msg(0x40)));
        routing.msix(false, List.of());

        assertThat(vmm.vectors.get(0).updates).containsExactly("0xfee00000/0x40", "0xfee00000/0x40 masked");
        assertThat(routing.mode()).isEqualTo(InterruptRouting.Mode.INTX);
    }

    @Test
    void closeDisablesTheModeAndReleasesVectorsAndTheIntxIrqfd() {
        routing.msix(true, List.of(msg(0x40)));
        routing.close();

        assertThat(device.calls).last().isEqualTo("disable 2");
        assertThat(vmm.vectors).allMatch(v -> v.closed);
        assertThat(vmm.intx.closed).isTrue();
        routing.msix(true, List.of(msg(0x40)));
        assertThat(device.calls).last().isEqualTo("disable 2");
    }

    @Test
    void withoutIntxTheDeviceStaysSilentUntilMsiIsEnabled() {
        FakeBackend noIntx = FakeBackend.nvmeLike();
        InterruptRouting r = new InterruptRouting(noIntx, vmm.interrupts, null);
        r.start();
        assertThat(r.mode()).isEqualTo(InterruptRouting.Mode.NONE);
        assertThat(noIntx.calls).isEmpty();
    }
}

package io.jvmm.vfio;

import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.spi.PciBar;
import io.jvmm.spi.RamRegion;
import io.jvmm.vfio.backend.PassthroughBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Config-space virtualisation, BAR mapping and MSI-X table trapping against a fake device. */
class VfioPciDeviceTest {
    private FakeBackend device;
    private FakeVmm vmm;
    private VfioPciDevice vfio;
    private List<PciBar> bars;

    @BeforeEach
    void create() {
        device = FakeBackend.nvmeLike();
        vmm = new FakeVmm();
        vfio = VfioPciDevice.create("vfio0", device, vmm.interrupts, vmm.mapper,
                List.of(new RamRegion(0, 0x8000_0000L, 0x7f00_0000_0000L), new RamRegion(0x1_0000_0000L, 0x4000_0000L,
                        0x7f10_0000_0000L)));
        bars = vfio.allocateBars(new TestBarAllocator());
    }

    private static byte[] le(int v, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static int value(byte[] b) {
        int v = 0;
        for (int i = 0; i < b.length; i++) {
            v |= (b[i] & 0xff) << (8 * i);
        }
        return v;
    }

    @Test
    void resetsTheDeviceAndDmaMapsAllGuestRamBeforeTheGuestRuns() {
        assertThat(device.calls).startsWith("reset");
        assertThat(device.calls).contains("dma-map 0x0+0x80000000 @0x7f0000000000",
                "dma-map 0x100000000+0x40000000 @0x7f1000000000");
    }

    @Test
    void closeTurnsInterruptsOffAndRemovesEveryMapping() {
        vfio.close();

        assertThat(device.calls).containsSubsequence("disable 0", "dma-unmap 0x0+0x80000000",
                "dma-unmap 0x100000000+0x40000000", "close");
        assertThat(vmm.unmappings).containsExactlyInAnyOrderElementsOf(vmm.mappings);
        assertThat(vmm.intx.closed).isTrue();
        assertThat(device.closed).isTrue();
    }

    @Test
    void identityAndOtherRegistersPassThrough() {
        assertThat(vfio.readConfigRegister(0)).isEqualTo(0x0010_1b36);
        assertThat(vfio.readConfigRegister(2)).isEqualTo(0x0108_0202);
        vfio.writeConfigRegister(1, 0, le(0x0006, 2));
        assertThat(device.configWrites).contains("0x004:0600");
        assertThat(vfio.readConfigRegister(1) & 0xffff).isEqualTo(0x0006);
    }

    @Test
    void multiFunctionBitIsMasked() {
        assertThat(device.config32(0x0c) & 0x0080_0000).isNotZero();
        assertThat(vfio.readConfigRegister(3) & 0x0080_0000).isZero();
    }

    @Test
    void barRegistersShowTheGuestAddressesNotTheHosts() {
        assertThat(bars).extracting(PciBar::index).containsExactly(0, 2, 4, PciBar.ROM_INDEX);
        assertThat(vfio.readConfigRegister(4)).isEqualTo(0x4);
        assertThat(vfio.readConfigRegister(5)).isEqualTo(0x1);
        assertThat(vfio.readConfigRegister(6)).isEqualTo(0x1001);
        assertThat(vfio.readConfigRegister(8)).isEqualTo(0xc000_0008);
        vfio.writeConfigRegister(4, 0, le(-1, 4));
        assertThat(vfio.readConfigRegister(4)).isEqualTo(0xffff_c004);
        assertThat(device.config32(0x10)).as("the device's own BAR is untouched").isEqualTo(0xfebf_0004);
    }

    @Test
    void interruptPinIsInta_andInterruptLineIsEmulated() {
        vfio.writeConfigRegister(15, 0, new byte[] {11});
        assertThat(vfio.readConfigRegister(15) & 0xffff).isEqualTo(0x010b);
        assertThat(device.configWrites).noneMatch(w -> w.startsWith("0x03c"));
    }

    @Test
    void sriovAndAriExtendedCapabilitiesAreHiddenAndTheListStillWalks() {
        assertThat(vfio.readConfigRegister(0x100 / 4)).isEqualTo(0x1401_0001); // AER kept
        assertThat(vfio.readConfigRegister(0x140 / 4)).isEqualTo(0x1801_0000); // SR-IOV: id 0, next kept
        assertThat(vfio.readConfigRegister(0x180 / 4)).isEqualTo(0x0001_0000); // ARI
    }

    @Test
    void barsAreMappedAroundTheMsixTableAndPbaPages() {
        long bar0 = bars.get(0).address();
        // BAR0: registers 0-0x2000 mapped; the table page (0x2000) and the PBA page (0x3000) trap.
        assertThat(vmm.mappings).containsExactly(
                String.format("0x%x+0x2000 <- fd3@0x0", bar0),
                String.format("0x%x+0x1000 <- fd3@0x40000000000", bars.get(2).address()));
    }

    @Test
    void startsInIntxWithTheResampleEventfdUnmasking() {
        assertThat(device.calls).containsSubsequence("enable 0 [" + vmm.intx.trigger.fd() + "]",
                "unmask-on 0 " + vmm.intx.resample.fd());
    }

    @Test
    void msixTableIsTrappedAndItsProgrammingReachesTheVectors() {
        PciBar bar0 = bars.get(0);
        // Linux: enable with function mask, program entry 0, clear function mask, unmask the entry.
        vfio.writeConfigRegister(0x50 / 4, 2, le(0xc000, 2));
        assertThat(device.calls).contains("disable 0");
        assertThat(vmm.vectors).hasSize(65);
        String fds = vmm.vectors.stream().map(v -> Integer.toString(v.eventFd.fd())).toList().toString();
        assertThat(device.calls).contains("enable 2 " + fds);
        assertThat(vfio.readConfigRegister(0x50 / 4) >>> 16).isEqualTo(0xc040);

        vfio.writeBar(bar0, 0x2000, le(0xfee0_0000, 4));
        vfio.writeBar(bar0, 0x2004, le(0, 4));
        vfio.writeBar(bar0, 0x2008, le(0x4021, 4));
        vfio.writeConfigRegister(0x50 / 4, 2, le(0x8000, 2));
        assertThat(vmm.vectors.get(0).updates).isEmpty(); // still masked by its own mask bit
        vfio.writeBar(bar0, 0x200c, le(0, 4));
        assertThat(vmm.vectors.get(0).updates).containsExactly("0xfee00000/0x4021");

        byte[] read = new byte[4];
        vfio.readBar(bar0, 0x2008, read);
        assertThat(value(read)).isEqualTo(0x4021);
        assertThat(device.regionAccesses).as("the device's real table is never touched").isEmpty();

        vfio.writeBar(bar0, 0x200c, le(1, 4));
        assertThat(vmm.vectors.get(0).updates).containsExactly("0xfee00000/0x4021", "0xfee00000/0x4021 masked");
        vfio.readBar(bar0, 0x200c, read);
        assertThat(value(read)).isEqualTo(1);
    }

    @Test
    void pbaAndOtherRegistersOfTheTrappedPageGoToTheDevice() {
        PciBar bar0 = bars.get(0);
        byte[] data = new byte[8];
        vfio.readBar(bar0, 0x3000, data);
        vfio.writeBar(bar0, 0x2800, le(7, 4));
        assertThat(device.regionAccesses).containsExactly("read 0+0x3000/8", "write 0+0x2800/4");
    }

    @Test
    void disablingMsixFallsBackToIntx() {
        vfio.writeConfigRegister(0x50 / 4, 2, le(0x8000, 2));
        device.calls.clear();
        vfio.writeConfigRegister(0x50 / 4, 2, le(0x0000, 2));

        assertThat(device.calls).containsExactly("disable 2", "enable 0 [" + vmm.intx.trigger.fd() + "]",
                "unmask-on 0 " + vmm.intx.resample.fd());
    }

    @Test
    void msiIsMirroredAndProgrammedWithOneMessagePerEnabledVector() {
        vfio.writeConfigRegister(0x84 / 4, 0, le(0xfee0_1000, 4));
        vfio.writeConfigRegister(0x88 / 4, 0, le(0, 4));
        vfio.writeConfigRegister(0x8c / 4, 0, le(0x4050, 2));
        vfio.writeConfigRegister(0x90 / 4, 0, le(0x2, 4)); // mask vector 1
        assertThat(device.calls).noneMatch(c -> c.startsWith("enable 1"));
        // Enable with Multiple Message Enable = 1 (2 vectors).
        vfio.writeConfigRegister(0x80 / 4, 2, le(0x0011, 2));

        assertThat(device.calls).contains("disable 0");
        assertThat(vmm.vectors).hasSize(2);
        assertThat(vmm.vectors.get(0).updates).containsExactly("0xfee01000/0x4050");
        assertThat(vmm.vectors.get(1).updates).isEmpty();
        assertThat(vfio.readConfigRegister(0x80 / 4) >>> 16).isEqualTo(0x0195);
        vfio.writeConfigRegister(0x90 / 4, 0, le(0x0, 4));
        assertThat(vmm.vectors.get(1).updates).containsExactly("0xfee01000/0x4051");
        assertThat(device.configWrites).as("guest writes still reach the device afterwards").contains("0x082:1100");
    }

    @Test
    void romIsReadThroughTheRegionAndNotMapped() {
        PciBar rom = bars.get(3);
        byte[] data = new byte[4];
        device.regionData.get(PassthroughBackend.ROM_REGION)[0] = 0x55;
        device.regionData.get(PassthroughBackend.ROM_REGION)[1] = (byte) 0xaa;
        vfio.readBar(rom, 0, data);
        assertThat(value(data) & 0xffff).isEqualTo(0xaa55);
        assertThat(vmm.mappings).noneMatch(m -> m.contains(String.format("0x%x", rom.address())));
    }

    @Test
    void movingABarRemapsItsMappedParts() {
        long old = bars.get(2).address();
        var move = vfio.writeConfigRegister(8, 0, le(0xd000_0008, 4));
        assertThat(move.newAddress()).isEqualTo(0xd000_0000L);
        vfio.moveBar(bars.get(2), 0xd000_0000L);

        assertThat(vmm.unmappings).containsExactly(String.format("0x%x+0x1000 <- fd3@0x40000000000", old));
        assertThat(vmm.mappings).last().isEqualTo("0xd0000000+0x1000 <- fd3@0x40000000000");
    }
}

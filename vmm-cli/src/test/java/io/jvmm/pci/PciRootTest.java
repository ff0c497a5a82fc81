package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciDevice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PciRootTest {
    private final List<String> relocations = new ArrayList<>();
    private final PciRoot root = new PciRoot((device, bar, address) -> {
        relocations.add(device.id() + " bar" + bar.index() + " -> 0x" + Long.toHexString(address));
        device.moveBar(bar, address);
    });

    @Test
    void hostBridgeSitsInSlotZeroWithItsIdsAndClass() {
        assertThat(root.readConfig(0, 0, 0, 0)).isEqualTo(0x0d57_8086);
        assertThat(root.readConfig(0, 0, 0, 2)).isEqualTo(0x0600_0000); // class 06, subclass 00, rev 0
        assertThat(root.readConfig(0, 0, 0, 3) >>> 16 & 0xff).as("header type").isZero();
        for (int bar = 4; bar <= 9; bar++) {
            assertThat(root.readConfig(0, 0, 0, bar)).isZero();
        }
        assertThat(root.device(0)).isInstanceOf(PciHostBridge.class);
    }

    @Test
    void hostBridgeIgnoresWritesToReadOnlyRegisters() {
        root.writeConfig(0, 0, 0, 0, 0, new byte[] {1, 2, 3, 4});
        root.writeConfig(0, 0, 0, 4, 0, new byte[] {-1, -1, -1, -1}); // BAR0
        root.writeConfig(0, 0, 0, 1, 0, new byte[] {-1, -1, -1, -1}); // command/status
        root.writeConfig(0, 0, 0, 15, 0, new byte[] {11});
        assertThat(root.readConfig(0, 0, 0, 0)).isEqualTo(0x0d57_8086);
        assertThat(root.readConfig(0, 0, 0, 4)).isZero();
        assertThat(root.readConfig(0, 0, 0, 1)).isEqualTo(0x0007);
        assertThat(root.readConfig(0, 0, 0, 15) & 0xff).isEqualTo(11);
    }

    @Test
    void absentFunctionsReadAllOnes() {
        assertThat(root.readConfig(0, 5, 0, 0)).isEqualTo(0xffff_ffff);
        assertThat(root.readConfig(1, 0, 0, 0)).isEqualTo(0xffff_ffff);
        assertThat(root.readConfig(0, 0, 1, 0)).isEqualTo(0xffff_ffff);
        assertThat(root.readConfig(0, 0, 0, 1024)).isEqualTo(0xffff_ffff);
        assertThat(root.readConfig(0, 32, 0, 0)).isEqualTo(0xffff_ffff);
        assertThat(root.readConfig(-1, -1, -1, -1)).isEqualTo(0xffff_ffff);
        root.writeConfig(0, 9, 0, 0, 0, new byte[4]);
    }

    @Test
    void devicesGetTheNextFreeSlot() {
        FakePciDevice a = new FakePciDevice("a");
        FakePciDevice b = new FakePciDevice("b");
        assertThat(root.addDevice(a)).isEqualTo(1);
        assertThat(root.addDevice(b)).isEqualTo(2);
        assertThat(root.readConfig(0, 2, 0, 0)).isEqualTo(0x44332211);
        assertThat(root.devices()).containsKeys(0, 1, 2);
        assertThatThrownBy(() -> root.addDevice(a)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBusHoldsThirtyTwoSlots() {
        for (int i = 1; i < PciRoot.SLOTS; i++) {
            root.addDevice(new FakePciDevice("d" + i));
        }
        assertThatThrownBy(() -> root.addDevice(new FakePciDevice("one too many")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    }

    @Test
    void writesReachTheDeviceWithRegisterAndOffset() {
        FakePciDevice dev = new FakePciDevice("dev");
        root.addDevice(dev);
        root.writeConfig(0, 1, 0, 4, 2, new byte[] {(byte) 0xab, (byte) 0xcd});
        root.writeConfig(0, 1, 0, 4, 3, new byte[] {1, 2}); // leaves the register: dropped
        root.writeConfig(0, 1, 0, 4, 0, new byte[3]); // not a PCI width: dropped
        assertThat(dev.writes).containsExactly("4+2:abcd");
    }

    @Test
    void aReprogrammedBarGoesToTheRelocator() {
        FakePciDevice dev = new FakePciDevice("dev");
        root.addDevice(dev);
        PciBar bar = new PciBar(0, 0xc000_0000L, 0x1000, PciBar.Type.MMIO32, false);
        dev.nextReprogram = new PciDevice.BarReprogram(bar, 0xd000_0000L);

        root.writeConfig(0, 1, 0, 4, 0, new byte[] {0, 0, 0, (byte) 0xd0});

        assertThat(relocations).containsExactly("dev bar0 -> 0xd0000000");
        assertThat(dev.moves).singleElement().satisfies(m -> assertThat(m).containsExactly(0xc000_0000L,
                0xd000_0000L));
    }

    @Test
    void aBarWrittenWithItsOwnAddressIsNotRelocated() {
        FakePciDevice dev = new FakePciDevice("dev");
        root.addDevice(dev);
        dev.nextReprogram = new PciDevice.BarReprogram(new PciBar(0, 0xc000_0000L, 0x1000, PciBar.Type.MMIO32,
                false), 0xc000_0000L);
        root.writeConfig(0, 1, 0, 4, 0, new byte[4]);
        assertThat(relocations).isEmpty();
    }

    @Test
    void aRelocationThatFailsDoesNotReachTheGuest() {
        PciRoot refusing = new PciRoot((device, bar, address) -> {
            throw new IllegalStateException("overlap");
        });
        FakePciDevice dev = new FakePciDevice("dev");
        refusing.addDevice(dev);
        dev.nextReprogram = new PciDevice.BarReprogram(new PciBar(1, 0x1000, 0x20, PciBar.Type.IO, false), 0x2000);

        refusing.writeConfig(0, 1, 0, 5, 0, new byte[4]); // logged, no exception

        assertThat(dev.writes).hasSize(1);
    }

    @Test
    void aDeviceThatThrowsReadsAllOnes() {
        FakePciDevice dev = new FakePciDevice("broken");
        dev.failure = new IllegalStateException("plugin bug");
        root.addDevice(dev);
        assertThat(root.readConfig(0, 1, 0, 0)).isEqualTo(0xffff_ffff);
        root.writeConfig(0, 1, 0, 0, 0, new byte[4]);
    }
}

package io.jvmm.bus;

import io.jvmm.spi.BusDevice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BusTest {
    /** Records the offsets it is called with and answers reads with the low byte of the offset. */
    private static final class Recorder implements BusDevice {
        final String name;
        final List<Long> offsets = new ArrayList<>();

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public void read(long offset, byte[] data) {
            offsets.add(offset);
            data[0] = (byte) offset;
        }

        @Override
        public void write(long offset, byte[] data) {
            offsets.add(offset);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void adjacentRangesAreAccepted() {
        Bus bus = new Bus("test");
        bus.insert(0x100, 0x10, new Recorder("a"));
        bus.insert(0x110, 0x10, new Recorder("b"));
        bus.insert(0xf0, 0x10, new Recorder("c"));

        assertThat(bus.ranges()).extracting(BusRange::base).containsExactly(0xf0L, 0x100L, 0x110L);
    }

    @Test
    void overlapIsRefusedNamingBothRanges() {
        Bus bus = new Bus("port I/O");
        bus.insert(0x3f8, 8, new Recorder("serial"));

        assertThatThrownBy(() -> bus.insert(0x3f0, 0x9, new Recorder("intruder")))
                .isInstanceOf(BusException.class)
                .hasMessageContaining("port I/O")
                .hasMessageContaining("0x3f0-0x3f8").hasMessageContaining("intruder")
                .hasMessageContaining("0x3f8-0x3ff").hasMessageContaining("serial");
        assertThatThrownBy(() -> bus.insert(0x3fa, 1, new Recorder("inside"))).isInstanceOf(BusException.class);
        assertThatThrownBy(() -> bus.insert(0x300, 0x200, new Recorder("around"))).isInstanceOf(BusException.class);
        assertThat(bus.ranges()).hasSize(1);
    }

    @Test
    void emptyAndOutOfRangeRangesAreRefused() {
        Bus bus = new Bus("test");
        assertThatThrownBy(() -> bus.insert(0x10, 0, new Recorder("zero"))).isInstanceOf(BusException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> bus.insert(-1, 1, new Recorder("negative"))).isInstanceOf(BusException.class);
        assertThatThrownBy(() -> bus.insert(Long.MAX_VALUE, 2, new Recorder("wraps"))).isInstanceOf(BusException.class);
    }

    @Test
    void devicesSeeTheOffsetInsideTheirRange() {
        Bus bus = new Bus("test");
        Recorder a = new Recorder("a");
        Recorder b = new Recorder("b");
        bus.insert(0xe000_0000L, 0x10_0000, a);
        bus.insert(0x1000, 4, b);

        byte[] data = new byte[4];
        assertThat(bus.read(0xe000_8004L, data)).isTrue();
        assertThat(bus.write(0x1003, new byte[1])).isTrue();
        assertThat(bus.write(0xe000_0000L, new byte[8])).isTrue();

        assertThat(a.offsets).containsExactly(0x8004L, 0L);
        assertThat(b.offsets).containsExactly(3L);
        assertThat(data[0]).isEqualTo((byte) 0x04);
    }

    @Test
    void accessesWhereNothingIsRegisteredMissAndLeaveTheDataAlone() {
        Bus bus = new Bus("test");
        bus.insert(0x100, 0x10, new Recorder("a"));
        byte[] data = {1, 2};

        assertThat(bus.read(0xff, data)).isFalse();
        assertThat(bus.read(0x110, data)).isFalse();
        assertThat(bus.read(0, data)).isFalse();
        assertThat(bus.read(-1, data)).isFalse();
        assertThat(bus.write(0x7fff_ffffL, data)).isFalse();
        assertThat(data).containsExactly(1, 2);
        assertThat(new Bus("empty").read(0x100, data)).isFalse();
    }

    @Test
    void anAccessIsRoutedByItsFirstAddress() {
        Bus bus = new Bus("test");
        Recorder address = new Recorder("address");
        bus.insert(0xcf8, 1, address);
        bus.insert(0xcf9, 1, new Recorder("reset"));

        assertThat(bus.write(0xcf8, new byte[4])).isTrue();
        assertThat(address.offsets).containsExactly(0L);
    }

    @Test
    void removeFreesTheRange() {
        Bus bus = new Bus("test");
        bus.insert(0x100, 0x10, new Recorder("a"));

        assertThat(bus.remove(0x108)).isFalse();
        assertThat(bus.remove(0x100)).isTrue();
        assertThat(bus.read(0x100, new byte[1])).isFalse();
        bus.insert(0x100, 0x10, new Recorder("again"));
    }

    @Test
    void moveRelocatesAtomicallyAndRefusesOverlaps() {
        Bus bus = new Bus("mmio");
        Recorder bar = new Recorder("bar");
        Recorder other = new Recorder("other");
        bus.insert(0xc000_0000L, 0x1000, bar);
        bus.insert(0xc000_2000L, 0x1000, other);

        assertThatThrownBy(() -> bus.move(0xc000_0000L, 0xc000_2800L, bar)).isInstanceOf(BusException.class)
                .hasMessageContaining("other");
        assertThat(bus.find(0xc000_0010L)).map(BusRange::device).contains(bar);

        bus.move(0xc000_0000L, 0xc000_0800L, bar); // overlapping its own old place is fine
        assertThat(bus.find(0xc000_0000L)).isEmpty();
        assertThat(bus.find(0xc000_17ffL)).map(BusRange::base).contains(0xc000_0800L);

        assertThatThrownBy(() -> bus.move(0x1234, 0x5678, bar)).isInstanceOf(BusException.class)
                .hasMessageContaining("no range starts at 0x1234");
    }

    @Test
    void lookupsDuringChangesAlwaysFindTheStableRanges() throws Exception {
        Bus bus = new Bus("test");
        bus.insert(0x5000, 0x100, new Recorder("stable"));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            byte[] data = new byte[1];
            while (!done.get()) {
                if (!bus.read(0x5010, data)) {
                    failure.set("stable range missed");
                }
            }
        });
        reader.start();
        for (int i = 0; i < 2000; i++) {
            long base = 0x100L * (i % 40);
            bus.insert(base, 0x80, new Recorder("churn"));
            bus.remove(base);
        }
        done.set(true);
        reader.join();
        assertThat(failure.get()).isNull();
    }
}

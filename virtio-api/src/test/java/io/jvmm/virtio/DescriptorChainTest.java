package io.jvmm.virtio;

import io.jvmm.testkit.ByteArrayGuestMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DescriptorChainTest {
    private final ByteArrayGuestMemory memory = new ByteArrayGuestMemory(0x1_0000);

    private DescriptorChain chain() {
        return new DescriptorChain(memory, 3, List.of(new ChainBuffer(0x100, 3, false), new ChainBuffer(0x200, 5, false),
                new ChainBuffer(0x300, 2, true), new ChainBuffer(0x400, 6, true)));
    }

    @Test
    void splitsReadableFromWritable() {
        DescriptorChain c = chain();
        assertThat(c.readableBytes()).isEqualTo(8);
        assertThat(c.writableBytes()).isEqualTo(8);
        assertThat(c.head()).isEqualTo(3);
    }

    @Test
    void refusesAReadableBufferAfterAWritableOne() {
        assertThatThrownBy(() -> new DescriptorChain(memory, 0,
                List.of(new ChainBuffer(0, 1, true), new ChainBuffer(0, 1, false))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReaderAskedForMoreThanTheChainHasThrowsAndMovesNothing() {
        ChainReader r = chain().reader();
        r.skip(4);
        assertThatThrownBy(() -> r.read(new byte[5])).isInstanceOf(BadChainException.class);
        assertThat(r.remaining()).isEqualTo(4);
    }

    @Test
    void aWriterFillsAcrossBuffersAndCountsWhatItWrote() {
        ChainWriter w = chain().writer();
        w.writeShort((short) 0x0201);
        w.writeInt(0x06050403);
        assertThat(w.written()).isEqualTo(6);
        assertThat(memory.readShort(0x300)).isEqualTo((short) 0x0201);
        assertThat(memory.readInt(0x400)).isEqualTo(0x06050403);
        assertThatThrownBy(() -> w.writeLong(1)).isInstanceOf(BadChainException.class);
    }

    @Test
    void slicesAreDirectViewsOfTheBuffers() {
        ChainWriter w = chain().writer();
        ByteBuffer[] slices = w.slices(5);
        assertThat(slices).hasSize(2);
        assertThat(slices[0].remaining()).isEqualTo(2);
        assertThat(slices[1].remaining()).isEqualTo(3);
        slices[1].put((byte) 9);
        assertThat(memory.readByte(0x400)).isEqualTo((byte) 9);
        assertThat(w.written()).isEqualTo(5);
    }

    @Test
    void aBufferOutsideGuestRamBecomesABadChain() {
        DescriptorChain c = new DescriptorChain(memory, 0, List.of(new ChainBuffer(0xfff0, 0x20, true)));
        assertThatThrownBy(() -> c.writer().write(new byte[0x20])).isInstanceOf(BadChainException.class);
    }
}

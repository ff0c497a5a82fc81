package io.jvmm.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds a small ELF64 x86-64 executable with one PT_LOAD segment and, optionally, a PT_NOTE
 * segment holding Xen's XEN_ELFNOTE_PHYS32_ENTRY note, laid out by hand from the ELF-64 spec.
 */
final class SyntheticElf {
    long paddr = 0x100_0000;
    int fileSize = 4096;
    long memSize = 3 * 4096;
    long entry = 0x100_0040;
    boolean pvhNote = true;
    int noteDescSize = 8;
    int elfClass = 2;
    int machine = 62;

    static final int PHOFF = 64;
    static final int NOTE_OFFSET = 64 + 2 * 56;
    static final int DATA_OFFSET = 0x1000;

    byte[] data() {
        byte[] d = new byte[fileSize];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 13 + 1);
        }
        return d;
    }

    /** Checks that guest memory holds the segment's data at its address and zeroes for the rest of it (.bss). */
    void assertLoadedIn(GuestMemory mem) {
        byte[] loaded = new byte[fileSize];
        mem.read(paddr, loaded);
        assertThat(loaded).isEqualTo(data());
        byte[] bss = new byte[(int) memSize - fileSize];
        mem.read(paddr + fileSize, bss);
        assertThat(bss).containsOnly(0);
    }

    byte[] build() {
        byte[] image = new byte[DATA_OFFSET + fileSize];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1});
        b.putShort(16, (short) 2); // ET_EXEC
        b.putShort(18, (short) machine);
        b.putInt(20, 1);
        b.putLong(24, 0xffff_ffff_8100_0000L); // e_entry: the virtual 64-bit entry, unused for PVH
        b.putLong(32, PHOFF);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) (pvhNote ? 2 : 1));

        int ph = PHOFF;
        b.putInt(ph, 1); // PT_LOAD
        b.putInt(ph + 4, 5); // R+X
        b.putLong(ph + 8, DATA_OFFSET);
        b.putLong(ph + 16, 0xffff_ffff_8000_0000L + paddr); // p_vaddr differs from p_paddr, as in a vmlinux
        b.putLong(ph + 24, paddr);
        b.putLong(ph + 32, fileSize);
        b.putLong(ph + 40, memSize);
        b.putLong(ph + 48, 0x20_0000);

        if (pvhNote) {
            // A GNU build-id note first, so the loader has to walk past it.
            int n = NOTE_OFFSET;
            b.putInt(n, 4).putInt(n + 4, 8).putInt(n + 8, 3);
            b.put(n + 12, new byte[] {'G', 'N', 'U', 0});
            b.putLong(n + 16, 0x1122334455667788L);
            int xen = n + 24;
            b.putInt(xen, 4).putInt(xen + 4, noteDescSize).putInt(xen + 8, 18);
            b.put(xen + 12, new byte[] {'X', 'e', 'n', 0});
            if (noteDescSize == 8) {
                b.putLong(xen + 16, entry);
            } else {
                b.putInt(xen + 16, (int) entry);
            }
            int noteSize = 24 + 16 + noteDescSize;
            ph += 56;
            b.putInt(ph, 4); // PT_NOTE
            b.putInt(ph + 4, 4);
            b.putLong(ph + 8, NOTE_OFFSET);
            b.putLong(ph + 32, noteSize);
            b.putLong(ph + 40, noteSize);
            b.putLong(ph + 48, 4);
        }
        System.arraycopy(data(), 0, image, DATA_OFFSET, fileSize);
        return image;
    }
}

package io.jvmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds a small bzImage with a protocol 2.15 header laid out by hand from boot.rst ("The
 * Real-Mode Kernel Header"), so the tests know every byte the loader and writer see.
 */
public final class SyntheticBzImage {
    int setupSects = 4;
    int version = 0x020f;
    int loadflags = 0x01; // LOADED_HIGH
    int xloadflags = 0x01; // XLF_KERNEL_64
    long kernelAlignment = 0x20_0000;
    boolean relocatable = true;
    long cmdlineSize = 0x7ff;
    long initrdAddrMax = 0x7fff_ffffL;
    long prefAddress = 0x100_0000;
    long initSize = 0x80_0000;
    int payloadSize = 8192;
    /** The short jump's displacement: header end = 0x202 + this. */
    int jumpDisplacement = 0x6a;
    /** Code at the 64-bit entry point (payload + 0x200, boot.rst "64-bit Boot Protocol"), or null. */
    byte[] entry64;

    /**
     * An image whose 64-bit entry executes UD2 (0F 0B). The boot IDT is empty, so the #UD
     * cannot be delivered, nor the #DF after it: the vCPU triple-faults (KVM_EXIT_SHUTDOWN).
     */
    public static SyntheticBzImage tripleFaulting() {
        SyntheticBzImage k = new SyntheticBzImage();
        k.entry64 = new byte[] {0x0f, 0x0b};
        return k;
    }

    byte[] payload() {
        byte[] p = new byte[payloadSize];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (i * 7 + 3);
        }
        if (entry64 != null) {
            System.arraycopy(entry64, 0, p, 0x200, entry64.length);
        }
        return p;
    }

    int setupSize() {
        return ((setupSects == 0 ? 4 : setupSects) + 1) * 512;
    }

    public byte[] build() {
        byte[] image = new byte[setupSize() + payloadSize];
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) setupSects);
        b.putShort(0x1f2, (short) 1); // root_flags
        b.putInt(0x1f4, (payloadSize + 15) / 16); // syssize
        b.putShort(0x1fa, (short) 0xfffd); // vid_mode as a build leaves it ("ask")
        b.putShort(0x1fe, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb);
        b.put(0x201, (byte) jumpDisplacement);
        b.put(0x202, new byte[] {'H', 'd', 'r', 'S'});
        b.putShort(0x206, (short) version);
        b.putShort(0x20e, (short) 0x3a00); // kernel_version string pointer
        b.put(0x211, (byte) loadflags);
        b.putInt(0x214, 0x10_0000); // code32_start
        b.putInt(0x22c, (int) initrdAddrMax);
        b.putInt(0x230, (int) kernelAlignment);
        b.put(0x234, (byte) (relocatable ? 1 : 0));
        b.put(0x235, (byte) 21); // min_alignment
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, (int) cmdlineSize);
        b.putLong(0x258, prefAddress);
        b.putInt(0x260, (int) initSize);
        b.putInt(0x264, 0x190); // handover_offset
        b.putInt(0x268, 0x1234); // kernel_info_offset
        b.put(0x26c, (byte) 0x5a); // first byte past the header: must not be copied
        System.arraycopy(payload(), 0, image, setupSize(), payloadSize);
        return image;
    }
}

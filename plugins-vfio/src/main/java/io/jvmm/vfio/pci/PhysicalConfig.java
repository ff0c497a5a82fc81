package io.jvmm.vfio.pci;

import io.jvmm.vfio.backend.PassthroughBackend;

/** The device's own config space, reached through the backend's config region. Little-endian. */
public final class PhysicalConfig {
    private final PassthroughBackend backend;
    private final int size;

    public PhysicalConfig(PassthroughBackend backend) {
        this.backend = backend;
        this.size = (int) Math.min(PciRegs.EXPRESS_SIZE, backend.region(PassthroughBackend.CONFIG_REGION).size());
    }

    /** Bytes of config space the device has: 256, or 4096 for PCI Express. */
    public int size() {
        return size;
    }

    public int read8(int offset) {
        return read(offset, 1);
    }

    public int read16(int offset) {
        return read(offset, 2);
    }

    public int read32(int offset) {
        return read(offset, 4);
    }

    private int read(int offset, int length) {
        byte[] b = new byte[length];
        read(offset, b);
        int v = 0;
        for (int i = 0; i < length; i++) {
            v |= (b[i] & 0xff) << (8 * i);
        }
        return v;
    }

    /** Reads {@code data.length} bytes; beyond the device's config space it reads zeros. */
    public void read(int offset, byte[] data) {
        if (offset < 0 || offset + data.length > size) {
            java.util.Arrays.fill(data, (byte) 0);
            return;
        }
        backend.read(PassthroughBackend.CONFIG_REGION, offset, data);
    }

    public void write32(int offset, int value) {
        write(offset, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    public void write(int offset, byte[] data) {
        if (offset >= 0 && offset + data.length <= size) {
            backend.write(PassthroughBackend.CONFIG_REGION, offset, data);
        }
    }
}

package io.jvmm.virtio.pci;

/**
 * Decodes accesses to struct virtio_pci_common_cfg (virtio 1.2, 4.1.4.3) into field reads and
 * writes, whatever the access width: a read assembles bytes from the fields it covers, a write
 * merges its bytes into each field it touches and writes that field whole. The 64-bit queue
 * addresses are two 32-bit halves, as drivers write them (4.1.3.1).
 */
final class CommonConfig {
    enum Field {
        DEVICE_FEATURE_SELECT(0x00, 4), DEVICE_FEATURE(0x04, 4), DRIVER_FEATURE_SELECT(0x08, 4),
        DRIVER_FEATURE(0x0c, 4), CONFIG_MSIX_VECTOR(0x10, 2), NUM_QUEUES(0x12, 2), DEVICE_STATUS(0x14, 1),
        CONFIG_GENERATION(0x15, 1), QUEUE_SELECT(0x16, 2), QUEUE_SIZE(0x18, 2), QUEUE_MSIX_VECTOR(0x1a, 2),
        QUEUE_ENABLE(0x1c, 2), QUEUE_NOTIFY_OFF(0x1e, 2), QUEUE_DESC_LO(0x20, 4), QUEUE_DESC_HI(0x24, 4),
        QUEUE_DRIVER_LO(0x28, 4), QUEUE_DRIVER_HI(0x2c, 4), QUEUE_DEVICE_LO(0x30, 4), QUEUE_DEVICE_HI(0x34, 4);

        final int offset;
        final int width;

        Field(int offset, int width) {
            this.offset = offset;
            this.width = width;
        }
    }

    /** The registers' owner. Read-only fields ignore writes there. */
    interface Registers {
        int read(Field field);

        void write(Field field, int value);
    }

    private CommonConfig() {
    }

    static void read(Registers registers, long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = 0;
        }
        for (Field f : Field.values()) {
            int overlapStart = (int) Math.max(offset, f.offset);
            int overlapEnd = (int) Math.min(offset + data.length, f.offset + f.width);
            if (overlapStart >= overlapEnd) {
                continue;
            }
            int value = registers.read(f);
            for (int at = overlapStart; at < overlapEnd; at++) {
                data[(int) (at - offset)] = (byte) (value >>> (8 * (at - f.offset)));
            }
        }
    }

    static void write(Registers registers, long offset, byte[] data) {
        for (Field f : Field.values()) {
            int overlapStart = (int) Math.max(offset, f.offset);
            int overlapEnd = (int) Math.min(offset + data.length, f.offset + f.width);
            if (overlapStart >= overlapEnd) {
                continue;
            }
            boolean whole = overlapStart == f.offset && overlapEnd == f.offset + f.width;
            int value = whole ? 0 : registers.read(f);
            for (int at = overlapStart; at < overlapEnd; at++) {
                int shift = 8 * (at - f.offset);
                value = value & ~(0xff << shift) | (data[(int) (at - offset)] & 0xff) << shift;
            }
            registers.write(f, value);
        }
    }
}

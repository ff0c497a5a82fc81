package io.jvmm.virtio.pci;

/** Device status bits (virtio 1.2, 2.1). */
final class DeviceStatus {
    static final int ACKNOWLEDGE = 1;
    static final int DRIVER = 2;
    static final int DRIVER_OK = 4;
    static final int FEATURES_OK = 8;
    static final int DEVICE_NEEDS_RESET = 64;
    static final int FAILED = 128;

    private DeviceStatus() {
    }

    /**
     * The status after the driver writes {@code requested} over {@code current} (never 0: that
     * is a reset). Bits the driver may not clear stay set (2.1.2); a bit is only taken in the
     * order of 3.1.1 (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK); DEVICE_NEEDS_RESET is the
     * device's alone; FEATURES_OK needs {@code featuresAcceptable}.
     */
    static int next(int current, int requested, boolean featuresAcceptable) {
        int adding = requested & ~current;
        int next = current;
        if ((adding & ACKNOWLEDGE) != 0) {
            next |= ACKNOWLEDGE;
        }
        if ((adding & DRIVER) != 0 && (next & ACKNOWLEDGE) != 0) {
            next |= DRIVER;
        }
        if ((adding & FAILED) != 0) {
            next |= FAILED;
        }
        boolean failed = (next & (FAILED | DEVICE_NEEDS_RESET)) != 0;
        if ((adding & FEATURES_OK) != 0 && (next & DRIVER) != 0 && !failed && featuresAcceptable) {
            next |= FEATURES_OK;
        }
        if ((adding & DRIVER_OK) != 0 && (next & FEATURES_OK) != 0 && !failed) {
            next |= DRIVER_OK;
        }
        return next;
    }
}

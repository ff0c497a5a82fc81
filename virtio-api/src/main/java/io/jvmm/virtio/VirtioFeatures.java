package io.jvmm.virtio;

/** Reserved (transport) feature bits, virtio 1.2, 6 Reserved Feature Bits. */
public final class VirtioFeatures {
    public static final int RING_INDIRECT_DESC = 28;
    public static final int RING_EVENT_IDX = 29;
    public static final int VERSION_1 = 32;
    public static final int ACCESS_PLATFORM = 33;

    /** What the transport always offers on top of {@link VirtioDevice#deviceFeatures()}. */
    public static final long TRANSPORT_OFFERED =
            bit(VERSION_1) | bit(RING_EVENT_IDX) | bit(RING_INDIRECT_DESC);

    private VirtioFeatures() {
    }

    public static long bit(int n) {
        return 1L << n;
    }
}

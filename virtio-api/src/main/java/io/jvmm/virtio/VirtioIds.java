package io.jvmm.virtio;

/**
 * Virtio device ids (virtio 1.2, 5 Device Types). The PCI device id of a modern virtio
 * function is 0x1040 plus the id (4.1.2.1).
 */
public final class VirtioIds {
    public static final int NET = 1;
    public static final int BLOCK = 2;
    public static final int CONSOLE = 3;
    public static final int ENTROPY = 4;
    /** The traditional memory balloon (5.5). */
    public static final int BALLOON = 5;
    public static final int IOMEM = 6;
    public static final int RPMSG = 7;
    public static final int SCSI = 8;
    public static final int NINEP_TRANSPORT = 9;
    public static final int MAC80211_WLAN = 10;
    public static final int RPROC_SERIAL = 11;
    public static final int CAIF = 12;
    public static final int MEMORY_BALLOON = 13;
    public static final int GPU = 16;
    public static final int TIMER_CLOCK = 17;
    public static final int INPUT = 18;
    /** virtio-vsock, the "socket device" (5.10). */
    public static final int SOCKET = 19;
    public static final int CRYPTO = 20;
    public static final int SIGNAL_DISTRIBUTION = 21;
    public static final int PSTORE = 22;
    public static final int IOMMU = 23;
    public static final int MEMORY = 24;
    public static final int SOUND = 25;
    public static final int FILE_SYSTEM = 26;
    public static final int PMEM = 27;
    public static final int RPMB = 28;
    public static final int MAC80211_HWSIM = 29;
    public static final int VIDEO_ENCODER = 30;
    public static final int VIDEO_DECODER = 31;
    public static final int SCMI = 32;
    public static final int NITRO_SECURE_MODULE = 33;
    public static final int I2C_ADAPTER = 34;
    public static final int WATCHDOG = 35;
    public static final int CAN = 36;
    public static final int PARAMETER_SERVER = 38;
    public static final int AUDIO_POLICY = 39;
    public static final int BLUETOOTH = 40;
    public static final int GPIO = 41;
    public static final int RDMA = 42;

    private VirtioIds() {
    }
}

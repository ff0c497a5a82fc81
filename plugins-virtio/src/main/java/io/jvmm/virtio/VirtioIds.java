package io.jvmm.virtio;

/** Virtio device ids (virtio 1.2, 5 Device Types). */
public final class VirtioIds {
    public static final int NET = 1;
    public static final int BLOCK = 2;
    public static final int CONSOLE = 3;
    public static final int ENTROPY = 4;
    public static final int VSOCK = 19;

    private VirtioIds() {
    }
}

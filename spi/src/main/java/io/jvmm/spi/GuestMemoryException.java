package io.jvmm.spi;

/** A guest-memory access outside guest RAM. Carries the offending range for the log. */
public class GuestMemoryException extends RuntimeException {
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length, String reason) {
        super(String.format("guest memory access [0x%x, +0x%x): %s", address, length, reason));
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
}

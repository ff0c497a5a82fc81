package io.jvmm.plugin;

import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IoEventRegistry;
import io.jvmm.spi.RamRegion;
import java.util.List;

/**
 * The context handed to factories by {@code jvmm check}: there is no VM, so everything
 * beyond the device id throws {@link NoVmException}. A factory that reaches for it during
 * {@code create} simply cannot be checked further.
 */
final class DryRunContext implements DeviceContext {
    private final String deviceId;

    DryRunContext(String deviceId) {
        this.deviceId = deviceId;
    }

    /** Thrown by every VM resource of a dry run. */
    static final class NoVmException extends UnsupportedOperationException {
        NoVmException(String what) {
            super(what + " is not available while checking a config (no VM is running)");
        }
    }

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public GuestMemory guestMemory() {
        throw new NoVmException("guest memory");
    }

    @Override
    public List<RamRegion> ramRegions() {
        throw new NoVmException("guest RAM");
    }

    @Override
    public Interrupts interrupts() {
        throw new NoVmException("interrupts");
    }

    @Override
    public IoEventRegistry ioEvents() {
        throw new NoVmException("ioeventfds");
    }

    @Override
    public GuestMemoryMapper memoryMapper() {
        throw new NoVmException("the memory mapper");
    }

    @Override
    public Thread startWorker(String name, Runnable body) {
        throw new NoVmException("a worker thread");
    }

    @Override
    public void reportFailure(String reason, Throwable cause) {
        // Nothing runs in a dry run, so nothing can fail later.
    }

    @Override
    public boolean addVfioGroup(int groupFd) {
        return false;
    }
}

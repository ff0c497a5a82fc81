package io.jvmm.vm;

import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IoEventRegistry;
import io.jvmm.spi.RamRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The narrow view of the VM one device gets. */
record VmDeviceContext(String deviceId, GuestMemory guestMemory, List<RamRegion> ramRegions, Interrupts interrupts,
                       IoEventRegistry ioEvents, GuestMemoryMapper memoryMapper, KvmVfioGroups vfioGroups,
                       boolean restoring)
        implements DeviceContext {
    private static final Logger log = LoggerFactory.getLogger(VmDeviceContext.class);

    @Override
    public Thread startWorker(String name, Runnable body) {
        Thread t = new Thread(body, deviceId + "-" + name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) ->
                log.error("device {}: worker {} died; the device stops working", deviceId, thread.getName(), e));
        t.start();
        return t;
    }

    @Override
    public boolean addVfioGroup(int groupFd) {
        return vfioGroups.add(groupFd);
    }

    @Override
    public void reportFailure(String reason, Throwable cause) {
        log.error("device {} failed: {}", deviceId, reason, cause);
    }
}

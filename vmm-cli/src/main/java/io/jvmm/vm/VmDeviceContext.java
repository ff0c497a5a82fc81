package io.jvmm.vm;

import io.jvmm.seccomp.SeccompPolicy;
import io.jvmm.seccomp.ThreadKind;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IoEventRegistry;
import io.jvmm.spi.RamRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The narrow view of the VM one device gets.
 *
 * @param workerDied ends the VM with the given message; called when a worker thread of this
 *                   device dies of an uncaught exception or error
 * @param threads    starts the workers from a thread without a seccomp filter
 * @param events     where reported events and failures go besides the log
 */
record VmDeviceContext(String deviceId, GuestMemory guestMemory, List<RamRegion> ramRegions, Interrupts interrupts,
                       IoEventRegistry ioEvents, GuestMemoryMapper memoryMapper, KvmVfioGroups vfioGroups,
                       boolean restoring, Consumer<String> workerDied, ThreadStarter threads,
                       DeviceEventSink events)
        implements DeviceContext {
    private static final Logger log = LoggerFactory.getLogger(VmDeviceContext.class);

    /**
     * A daemon thread named after the device. A worker that dies of something it did not catch
     * (an OutOfMemoryError, a StackOverflowError, a plugin's assertion or bug) ends the VM with
     * a message naming the thread: the VMM cannot reset a device it does not know, and a guest
     * left waiting on a dead worker would hang. Devices that can recover catch their own (the
     * virtio transport resets the device).
     */
    @Override
    public Thread startWorker(String name, Runnable body) {
        Thread t = new Thread(() -> {
            // Before the worker touches the guest or its host file, tap or socket.
            SeccompPolicy.installOnThisThread(ThreadKind.DEVICE_WORKER);
            body.run();
        }, deviceId + "-" + name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> {
            // The VM ends first: reporting needs little heap, a stack trace in the log much more.
            workerDied.accept("device " + deviceId + ": worker thread " + thread.getName() + " died: " + e);
            log.error("device {}: worker {} died", deviceId, thread.getName(), e);
        });
        threads.start(t);
        return t;
    }

    @Override
    public boolean addVfioGroup(int groupFd) {
        return vfioGroups.add(groupFd);
    }

    @Override
    public void reportFailure(String reason, Throwable cause) {
        log.error("device {} failed: {}", deviceId, reason, cause);
        events.deviceEvent(deviceId, "failed", reason);
    }

    @Override
    public void reportEvent(String event, String detail) {
        log.info("device {}: {}: {}", deviceId, event, detail);
        events.deviceEvent(deviceId, event, detail);
    }
}

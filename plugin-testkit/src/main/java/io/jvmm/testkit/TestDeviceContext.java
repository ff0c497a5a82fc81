package io.jvmm.testkit;

import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.GuestMemory;
import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IoEventRegistry;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.MsiVector;
import io.jvmm.spi.RamRegion;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DeviceContext} without KVM: test memory, recording interrupts and ioeventfds, real threads. */
public final class TestDeviceContext implements DeviceContext {
    private final String id;
    private final GuestMemory memory;
    private final RecordingIoEvents ioEvents = new RecordingIoEvents();
    private final RecordingIrqLine intx = new RecordingIrqLine();
    private final List<RecordingMsiVector> vectors = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile boolean restoring;

    public TestDeviceContext(String id, GuestMemory memory) {
        this.id = id;
        this.memory = memory;
    }

    @Override
    public String deviceId() {
        return id;
    }

    @Override
    public GuestMemory guestMemory() {
        return memory;
    }

    @Override
    public List<RamRegion> ramRegions() {
        return List.of();
    }

    @Override
    public Interrupts interrupts() {
        return new Interrupts() {
            @Override
            public MsiVector allocateMsi() {
                RecordingMsiVector v = new RecordingMsiVector();
                vectors.add(v);
                return v;
            }

            @Override
            public IrqLine intx() {
                return intx;
            }
        };
    }

    @Override
    public IoEventRegistry ioEvents() {
        return ioEvents;
    }

    @Override
    public GuestMemoryMapper memoryMapper() {
        throw new UnsupportedOperationException("no memory mapping in unit tests");
    }

    @Override
    public Thread startWorker(String name, Runnable body) {
        Thread t = new Thread(body, id + "-" + name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
        threads.add(t);
        t.start();
        return t;
    }

    @Override
    public boolean addVfioGroup(int groupFd) {
        return false;
    }

    @Override
    public void reportEvent(String event, String detail) {
        events.add(event + ": " + detail);
    }

    @Override
    public void reportFailure(String reason, Throwable cause) {
        failures.add(reason);
    }

    @Override
    public boolean restoring() {
        return restoring;
    }

    /** Makes {@link #restoring()} answer true, as for a device created by {@code jvmm restore}. */
    public TestDeviceContext restoringSnapshot() {
        restoring = true;
        return this;
    }

    public RecordingIoEvents recordingIoEvents() {
        return ioEvents;
    }

    public RecordingIrqLine intxLine() {
        return intx;
    }

    /** The MSI vectors the device allocated, in allocation order (= MSI-X table entry order). */
    public List<RecordingMsiVector> vectors() {
        return vectors;
    }

    public List<Thread> threads() {
        return threads;
    }

    public List<Throwable> uncaught() {
        return uncaught;
    }

    /** What the device reported with {@code reportEvent}, each as "EVENT: DETAIL", in order. */
    public List<String> events() {
        return events;
    }

    public List<String> failures() {
        return failures;
    }
}

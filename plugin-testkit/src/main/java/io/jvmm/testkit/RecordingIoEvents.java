package io.jvmm.testkit;

import io.jvmm.spi.EventFd;
import io.jvmm.spi.IoEventRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Records ioeventfd registrations by address, and lets a test play KVM: a guest write to a
 * registered address signals its eventfd instead of reaching the device.
 */
public final class RecordingIoEvents implements IoEventRegistry {
    public record Registration(long address, int length, Long dataMatch) { }

    private final Map<EventFd, Registration> live = new LinkedHashMap<>();
    private int unregistered;
    private Supplier<EventFd> eventFds = TestEventFd::new;

    /** Registers eventfds from {@code factory} (e.g. real ones, for devices that poll them) instead of Java counters. */
    public synchronized RecordingIoEvents useEventFds(Supplier<EventFd> factory) {
        eventFds = factory;
        return this;
    }

    @Override
    public synchronized EventFd registerMmio(long address, int length, Long dataMatch) {
        EventFd fd = eventFds.get();
        live.put(fd, new Registration(address, length, dataMatch));
        return fd;
    }

    @Override
    public synchronized void unregister(EventFd eventFd) {
        if (live.remove(eventFd) != null) {
            unregistered++;
            eventFd.close();
        }
    }

    public synchronized Map<EventFd, Registration> live() {
        return Map.copyOf(live);
    }

    public synchronized int unregistered() {
        return unregistered;
    }

    /** What KVM does on a guest write of {@code length} bytes at {@code address}: true if an eventfd took it. */
    public synchronized boolean guestWrite(long address, int length) {
        for (Map.Entry<EventFd, Registration> e : live.entrySet()) {
            Registration r = e.getValue();
            if (r.address() == address && (r.length() == 0 || r.length() == length)) {
                e.getKey().write(1);
                return true;
            }
        }
        return false;
    }
}

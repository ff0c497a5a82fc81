package io.jvmm.irq;

import io.jvmm.kvm.LinuxEventFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.spi.EventFd;
import io.jvmm.spi.IoEventRegistry;

import java.util.HashMap;
import java.util.Map;

/** Doorbell eventfds registered with KVM_IOEVENTFD. */
public final class KvmIoEvents implements IoEventRegistry {
    private record Registration(long address, int length, Long dataMatch) { }

    private final VmFd vm;
    private final Map<EventFd, Registration> registrations = new HashMap<>();

    public KvmIoEvents(VmFd vm) {
        this.vm = vm;
    }

    @Override
    public synchronized EventFd registerMmio(long address, int length, Long dataMatch) {
        LinuxEventFd fd = new LinuxEventFd();
        try {
            vm.ioeventfd(fd.fd(), address, length, dataMatch, false, false);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        registrations.put(fd, new Registration(address, length, dataMatch));
        return fd;
    }

    @Override
    public synchronized void unregister(EventFd eventFd) {
        Registration r = registrations.remove(eventFd);
        if (r != null) {
            vm.ioeventfd(eventFd.fd(), r.address(), r.length(), r.dataMatch(), false, true);
            eventFd.close();
        }
    }
}

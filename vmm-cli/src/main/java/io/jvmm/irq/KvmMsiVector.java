package io.jvmm.irq;

import io.jvmm.kvm.LinuxEventFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.spi.EventFd;
import io.jvmm.spi.MsiVector;

/**
 * An MSI vector as an irqfd on its own GSI. While masked the irqfd is detached, so writes to
 * the eventfd accumulate; re-attaching on unmask makes KVM inject a pending one at once,
 * which gives the pending-bit behaviour of PCI 3.0, 6.8.3.4 for kernel-signalled vectors.
 */
final class KvmMsiVector implements MsiVector {
    private final VmFd vm;
    private final GsiRouter router;
    private final int gsi;
    private final LinuxEventFd eventFd = new LinuxEventFd();
    private boolean attached;
    private boolean closed;

    KvmMsiVector(VmFd vm, GsiRouter router) {
        this.vm = vm;
        this.router = router;
        this.gsi = router.allocate();
    }

    @Override
    public synchronized void update(long address, int data, boolean masked) {
        if (closed) {
            return;
        }
        router.setMsiRoute(gsi, address, data);
        if (masked && attached) {
            vm.irqfd(eventFd.fd(), gsi, true);
            attached = false;
        } else if (!masked && !attached) {
            vm.irqfd(eventFd.fd(), gsi, false);
            attached = true;
        }
    }

    @Override
    public void trigger() {
        eventFd.write(1);
    }

    @Override
    public EventFd eventFd() {
        return eventFd;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (attached) {
            vm.irqfd(eventFd.fd(), gsi, true);
        }
        router.release(gsi);
        eventFd.close();
    }
}

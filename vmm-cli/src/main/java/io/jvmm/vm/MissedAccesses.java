package io.jvmm.vm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest accesses to ports and MMIO addresses no device handles (reads answer all-ones, writes
 * are dropped), shared by the vCPUs. The first {@value #LOGGED} distinct addresses are logged
 * once each so a probing guest does not flood the log; after that they are only counted, so a
 * guest walking the address space costs a fixed amount of host memory, not ~90 bytes per
 * address forever.
 */
final class MissedAccesses {
    private static final Logger log = LoggerFactory.getLogger(MissedAccesses.class);
    /** Distinct addresses remembered and logged: enough to see what a guest probes at boot. */
    static final int LOGGED = 256;

    private final Set<Long> logged = ConcurrentHashMap.newKeySet();
    /** Places taken in {@link #logged}, reserved before adding so racing vCPUs cannot pass {@value #LOGGED}. */
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong unlogged = new AtomicLong();

    /** One access to {@code address} in port space ({@code port}) or MMIO space that nobody handles. */
    void miss(int vcpu, boolean port, long address) {
        long key = port ? address : address | Long.MIN_VALUE;
        if (logged.contains(key)) {
            return;
        }
        if (reserve()) {
            if (logged.add(key)) {
                log.debug("vCPU {}: no device at {} 0x{} (reads answer all-ones, writes are dropped)", vcpu,
                        port ? "port" : "MMIO address", Long.toHexString(address));
            } else {
                reserved.decrementAndGet(); // another vCPU logged it just now
            }
            return;
        }
        if (unlogged.getAndIncrement() == 0) {
            log.debug("vCPU {}: more than {} addresses without a device; further ones are counted, not logged",
                    vcpu, LOGGED);
        }
    }

    private boolean reserve() {
        int n;
        do {
            n = reserved.get();
            if (n >= LOGGED) {
                return false;
            }
        } while (!reserved.compareAndSet(n, n + 1));
        return true;
    }

    /** Distinct addresses remembered (and logged). */
    int logged() {
        return logged.size();
    }

    /** Accesses to addresses beyond the first {@value #LOGGED}, counted and not logged. */
    long unlogged() {
        return unlogged.get();
    }
}

package io.jvmm.vm;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Starts threads from a thread without a seccomp filter. A filter is inherited by the threads
 * its thread starts (seccomp(2)), and device workers are started on vCPU threads (the guest's
 * DRIVER_OK activates the device there): started there, a worker would carry the vCPU's list
 * on top of its own and be allowed only what both allow. This starter is made by the thread
 * that builds the VM, which has no filter, and starts the workers instead.
 */
final class ThreadStarter {
    private final ThreadPoolExecutor starter = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "jvmm-thread-starter");
                t.setDaemon(true);
                return t;
            });

    ThreadStarter() {
        // Now, on this thread: a pool starts its thread on the first task, which comes from a vCPU.
        starter.prestartAllCoreThreads();
    }

    /** Starts {@code thread} from the starter and returns once it runs. */
    void start(Thread thread) {
        try {
            starter.submit(thread::start).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting thread " + thread.getName(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot start thread " + thread.getName() + ": " + e.getCause(), e.getCause());
        }
    }
}

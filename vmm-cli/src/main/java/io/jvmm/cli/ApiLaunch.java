package io.jvmm.cli;

import io.jvmm.api.ApiServer;
import io.jvmm.api.ApiSocketException;
import io.jvmm.console.ConsoleTap;
import io.jvmm.control.EventedControl;
import io.jvmm.control.VmControl;
import io.jvmm.control.VmEvents;
import io.jvmm.vm.SerialConsole;
import io.jvmm.vm.VmExit;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API of one {@code run} or {@code restore}: taps the serial console, wraps the VM's control
 * so every change is an event, and starts the server on its own thread once the VM is built, so
 * Jetty's start-up runs beside the guest's and not before its first KVM_RUN.
 */
final class ApiLaunch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiLaunch.class);
    private static final long DRAIN_MILLIS = 300;

    private final Path socket;
    private final String config;
    private final VmEvents events = new VmEvents();
    private ConsoleTap tap;
    private Thread starter;
    private volatile ApiServer server;

    ApiLaunch(Path socket, String config) {
        this.socket = socket;
        this.config = config;
    }

    static ApiLaunch none() {
        return new ApiLaunch(null, null);
    }

    /** The console the VM should use: {@code console}, tapped for API clients when there is an API. */
    SerialConsole console(SerialConsole console) {
        if (socket == null) {
            return console;
        }
        tap = new ConsoleTap(console);
        return tap;
    }

    /** The launcher's {@code onStart}: the lifecycle options and the API get the evented control. */
    Consumer<VmControl> onStart(Consumer<VmControl> lifecycle) {
        return vm -> {
            EventedControl evented = new EventedControl(vm, events);
            long started = System.nanoTime();
            lifecycle.accept(evented);
            if (socket != null) {
                // Started from this thread, which has no seccomp filter: Jetty's pool threads inherit that.
                starter = new Thread(() -> {
                    try {
                        server = ApiServer.start(socket, evented, tap, config, started);
                    } catch (ApiSocketException e) {
                        log.error("no API: {}", e.getMessage());
                    }
                }, "jvmm-api-start");
                starter.setDaemon(true);
                starter.start();
            }
            events.publish("started");
        };
    }

    /** A device's report (DeviceContext.reportEvent, a failure) for event clients. */
    void deviceEvent(String deviceId, String event, String detail) {
        events.publish("device", "device", deviceId, "event", event, "detail", detail);
    }

    /** Tells event clients how the VM ended. */
    void ended(VmExit how) {
        events.publish("stopped", "reason", how.name());
    }

    /** Gives event clients a moment to read the end, then stops the server and removes the socket. */
    @Override
    public void close() {
        if (starter != null) {
            try {
                starter.join(10_000);
                long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000;
                while (events.subscribers() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ApiServer s = server;
        if (s != null) {
            s.close();
        }
    }
}

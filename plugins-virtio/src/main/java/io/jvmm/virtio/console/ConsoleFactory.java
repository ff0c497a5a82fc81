package io.jvmm.virtio.console;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.virtio.pci.VirtioPciDevice;
import java.util.Optional;

/** Device type {@code virtio-console}: a virtio console (hvc0) on stdio, a file or a unix socket. See {@link ConsoleConfig}. */
public final class ConsoleFactory implements DeviceFactory {
    /** How often a terminal's size is checked on stdio (no SIGWINCH in plain Java). */
    static final long RESIZE_POLL_MS = 500;

    @Override
    public String type() {
        return "virtio-console";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public String description() {
        return "virtio console (hvc0) on stdio, a file or a unix socket, with terminal size";
    }

    @Override
    public Device create(DeviceConfig config, DeviceContext context) throws DeviceException {
        ConsoleConfig settings = ConsoleConfig.from(config);
        InputBuffer input = new InputBuffer();
        ConsoleBackend backend = switch (settings.output()) {
            case STDIO -> new StdioBackend(input);
            case FILE -> FileBackend.open(settings.path().orElseThrow(), context.restoring());
            case SOCKET -> SocketBackend.listen(settings.path().orElseThrow(), input);
        };
        try {
            Optional<ConsoleSize> size = settings.size().or(backend::size);
            VirtioConsole console = new VirtioConsole(config.id(), backend, input, size);
            ConsoleBackend.ThreadStarter threads = context::startWorker;
            backend.start(threads);
            if (settings.size().isEmpty() && size.isPresent()) {
                threads.start("console-resize", () -> followTerminal(console, backend));
            }
            return new VirtioPciDevice(config.id(), console, context);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static void followTerminal(VirtioConsole console, ConsoleBackend backend) {
        try {
            while (!console.closed()) {
                Thread.sleep(RESIZE_POLL_MS);
                backend.size().ifPresent(console::resize);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

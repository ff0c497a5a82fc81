package io.jvmm.cli;

import io.jvmm.api.ApiSocketException;
import io.jvmm.api.ApiSockets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --api-socket PATH} and {@code --no-api}, for the commands that run a VM. */
final class ApiOptions {
    @Option(names = "--api-socket", paramLabel = "PATH",
            description = "Listen for API clients (jvmm pause NAME, curl --unix-socket) on PATH. Default: "
                    + "$XDG_RUNTIME_DIR/jvmm/NAME.sock, or /run/jvmm/NAME.sock for root and /tmp/jvmm-UID/NAME.sock "
                    + "for others when XDG_RUNTIME_DIR is unset.")
    Path socket;

    @Option(names = "--no-api", description = "No API socket: the VM can be driven only from this process.")
    boolean none;

    /** The socket the VM called {@code name} will listen on; an error with --no-api. */
    Path path(String name) {
        if (none) {
            throw new UsageException("--detach needs the API socket: drop --no-api");
        }
        try {
            return socket != null ? socket.toAbsolutePath() : ApiSockets.defaultPath(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Checks the socket for the VM called {@code name} and returns what serves it; a VM already
     * answering there is refused now, before anything is built.
     */
    ApiLaunch prepare(String name, String config) {
        if (none) {
            if (socket != null) {
                throw new UsageException("--no-api and --api-socket go against each other: give one");
            }
            return ApiLaunch.none();
        }
        try {
            Path path = socket != null ? socket.toAbsolutePath() : ApiSockets.defaultPath(name);
            ApiSockets.prepare(path);
            return new ApiLaunch(path, config);
        } catch (IllegalArgumentException | ApiSocketException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

package io.jvmm.cli;

import io.jvmm.api.ApiClient;
import io.jvmm.api.ApiSockets;
import io.jvmm.vm.VmException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The running VM a client command talks to: NAME (its socket in the default directory) or --api-socket. */
final class VmTarget {
    @Parameters(index = "0", paramLabel = "NAME", completionCandidates = RunningVmNames.class,
            description = "The VM's name, as 'jvmm ls' shows it.")
    String name;

    @Option(names = "--api-socket", paramLabel = "PATH",
            description = "The VM's API socket, if it is not the default one for NAME.")
    Path socket;

    /** A client of the VM's socket; an error naming the VM if nothing is there. */
    ApiClient client() throws VmException {
        Path path;
        if (socket != null) {
            path = socket;
        } else {
            try {
                path = ApiSockets.defaultPath(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (!Files.exists(path)) {
            throw new VmException("no VM named '" + name + "' is running (no socket " + path + "); 'jvmm ls' lists them");
        }
        return new ApiClient(path);
    }
}

package io.jvmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jvmm.api.ApiSockets;
import io.jvmm.api.RunningVms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jvmm ls}: this user's running VMs, found by their API sockets. */
@Command(name = "ls", mixinStandardHelpOptions = true, header = "List this user's running VMs.",
        description = "Asks every API socket in this user's directory ($XDG_RUNTIME_DIR/jvmm, else /run/jvmm for root "
                + "or /tmp/jvmm-UID) what it runs. A socket nobody answers on (a VM that died) is skipped; the next "
                + "VM of that name replaces it. VMs started with --api-socket elsewhere are not listed.")
final class LsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "One JSON array of what GET /api/v1/vm answers for each VM.")
    boolean json;

    @Option(names = "--dir", paramLabel = "DIR", description = "Look in DIR instead of this user's directory.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        List<JsonNode> vms = RunningVms.in(dir != null ? dir : ApiSockets.directory());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode array = VmClientCommands.JSON.createArrayNode();
            vms.forEach(array::add);
            out.println(array.toPrettyString());
            return 0;
        }
        RunningVms.table(vms).forEach(out::println);
        return 0;
    }
}

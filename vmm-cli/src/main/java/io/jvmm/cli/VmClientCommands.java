package io.jvmm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.api.ApiClient;
import io.jvmm.vm.VmException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands that drive a VM running in another jvmm process through its API socket, one
 * class each: {@code pause}, {@code resume}, {@code snapshot}, {@code shutdown}, {@code info},
 * {@code device}. Each is one request; the VM's error sentence is the command's error.
 */
final class VmClientCommands {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QUICK = Duration.ofSeconds(30);
    /** A snapshot of a large guest on a slow disk takes a while; the server bounds nothing here. */
    private static final Duration SNAPSHOT = Duration.ofMinutes(30);

    private VmClientCommands() {
    }

    /** What every client command shares: the target and the output. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VmTarget target;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Sends the request; answers the JSON of a success, throws the VM's sentence otherwise. */
        JsonNode call(String method, String path, Object body, Duration timeout) throws VmException {
            ApiClient client = target.client();
            try {
                ApiClient.Answer a = client.call(method, "/api/v1" + path, body == null ? null
                        : JSON.writeValueAsString(body), timeout);
                if (!a.ok()) {
                    throw new VmException(target.name + ": " + a.error());
                }
                return a.json();
            } catch (IOException e) {
                throw new VmException(target.name + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, header = "Pause a running VM (its vCPUs stop, its clock freezes).")
    static final class Pause extends Base {
        @Override
        public Integer call() throws VmException {
            call("PUT", "/vm/pause", null, QUICK);
            out().println(target.name + ": paused");
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, header = "Resume a paused VM.")
    static final class Resume extends Base {
        @Override
        public Integer call() throws VmException {
            call("PUT", "/vm/resume", null, QUICK);
            out().println(target.name + ": running");
            return 0;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true, header = "Snapshot a VM to a directory.",
            description = "A running VM is paused for the snapshot, then does what --after says. "
                    + "'jvmm restore DIR' runs it again.")
    static final class Snapshot extends Base {
        @Parameters(index = "1", paramLabel = "DIR", description = "The snapshot directory (created; replaced atomically).")
        Path dir;

        @Option(names = "--after", paramLabel = "WHAT", description = "continue (default: the state it was in), pause, or exit.")
        String after = "continue";

        @Override
        public Integer call() throws VmException {
            ObjectNode body = JSON.createObjectNode().put("dir", dir.toAbsolutePath().toString()).put("after", after);
            JsonNode j = call("PUT", "/vm/snapshot", body, SNAPSHOT);
            out().println(target.name + ": snapshot written to " + j.path("dir").asText() + " in "
                    + j.path("millis").asLong() + " ms; " + j.path("state").asText().toLowerCase());
            return 0;
        }
    }

    @Command(name = "shutdown", mixinStandardHelpOptions = true,
            header = "Ask a VM's guest to power off (ACPI power button); --force stops it at once.")
    static final class Shutdown extends Base {
        @Option(names = {"-f", "--force"}, description = "Stop the VM at once, without asking the guest.")
        boolean force;

        @Override
        public Integer call() throws VmException {
            call("PUT", "/vm/shutdown", JSON.createObjectNode().put("force", force), QUICK);
            out().println(target.name + (force ? ": stopped" : ": asked the guest to power off"));
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, header = "Show a running VM: state, vCPUs, memory, devices.")
    static final class Info extends Base {
        @Option(names = "--json", description = "The API's JSON as it is.")
        boolean json;

        @Override
        public Integer call() throws VmException {
            JsonNode j = call("GET", "/vm", null, QUICK);
            PrintWriter out = out();
            if (json) {
                out.println(j.toPrettyString());
                return 0;
            }
            out.println("name:    " + j.path("name").asText());
            out.println("state:   " + j.path("state").asText());
            out.println("pid:     " + j.path("pid").asLong());
            out.println("vcpus:   " + j.path("vcpus").asInt());
            out.println("memory:  " + (j.path("memoryBytes").asLong() >> 20) + " MiB");
            out.println("uptime:  " + j.path("uptimeSeconds").asLong() + " s");
            out.println("config:  " + j.path("config").asText());
            out.println("socket:  " + j.path("socket").asText());
            out.println("devices:");
            for (JsonNode d : j.path("devices")) {
                List<String> commands = new ArrayList<>();
                d.path("commands").forEach(c -> commands.add(c.asText()));
                out.printf("  %-12s %-24s%s%s%n", d.path("id").asText(), d.path("type").asText(),
                        d.path("snapshottable").asBoolean() ? "" : " (no snapshot)",
                        commands.isEmpty() ? "" : " commands: " + String.join(", ", commands));
            }
            return 0;
        }
    }

    @Command(name = "device", mixinStandardHelpOptions = true, header = "List or run a device's runtime commands.",
            description = "Without COMMAND, lists what device ID offers.")
    static final class Device extends Base {
        @Parameters(index = "1", paramLabel = "ID", description = "The device id ('jvmm info NAME' lists them).")
        String id;

        @Parameters(index = "2", arity = "0..1", paramLabel = "COMMAND")
        String command;

        @Parameters(index = "3..*", paramLabel = "ARGS")
        List<String> arguments = new ArrayList<>();

        @Override
        public Integer call() throws VmException {
            if (command == null) {
                JsonNode j = call("GET", "/vm/devices/" + id + "/commands", null, QUICK);
                if (j.path("commands").isEmpty()) {
                    out().println(id + " offers no commands");
                }
                for (JsonNode c : j.path("commands")) {
                    out().printf("  %-20s %s%n", (c.path("name").asText() + " " + c.path("arguments").asText()).strip(),
                            c.path("description").asText());
                }
                return 0;
            }
            ObjectNode body = JSON.createObjectNode().put("command", command);
            arguments.forEach(body.putArray("args")::add);
            JsonNode j = call("PUT", "/vm/devices/" + id + "/command", body, QUICK);
            String said = j.path("output").asText();
            out().println(id + " " + command + ": " + (said.isBlank() ? "done" : said.strip()));
            return 0;
        }
    }
}

package io.jvmm.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.control.VmControl;
import io.jvmm.snapshot.SnapshotProgress;
import io.jvmm.spi.DeviceCommand;
import io.jvmm.spi.DeviceCommandException;
import io.jvmm.vm.VmException;
import io.jvmm.vm.VmExit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM running in another jvmm process, controlled through its API socket: the shell attaches
 * to one with this, and its commands then work on it as on a VM it booted. Each call is one
 * request; the other side's error sentence becomes this side's {@link VmException}.
 */
public final class RemoteVm implements VmControl {
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Duration SNAPSHOT = Duration.ofMinutes(30);

    private final String name;
    private final ApiClient client;

    public RemoteVm(String name, ApiClient client) {
        this.name = name;
        this.client = client;
    }

    public ApiClient client() {
        return client;
    }

    private JsonNode call(String method, String path, Object body, Duration timeout) throws VmException {
        try {
            ApiClient.Answer a = client.call(method, "/api/v1" + path,
                    body == null ? null : Json.mapper().writeValueAsString(body), timeout);
            if (!a.ok()) {
                throw new VmException(a.error());
            }
            return a.json();
        } catch (IOException e) {
            throw new VmException(name + " does not answer: " + e.getMessage(), e);
        }
    }

    @Override
    public State state() {
        try {
            return State.valueOf(call("GET", "/vm", null, QUICK).path("state").asText());
        } catch (VmException | IllegalArgumentException e) {
            return State.STOPPED;
        }
    }

    @Override
    public void pause() throws VmException {
        call("PUT", "/vm/pause", null, QUICK);
    }

    @Override
    public void resume() throws VmException {
        call("PUT", "/vm/resume", null, QUICK);
    }

    /** The remote VM is paused by the caller's {@link io.jvmm.control.TakeSnapshot}; it stays so. */
    @Override
    public void snapshot(Path dir, SnapshotProgress progress) throws VmException {
        ObjectNode body = Json.mapper().createObjectNode().put("dir", dir.toAbsolutePath().toString()).put("after", "pause");
        call("PUT", "/vm/snapshot", body, SNAPSHOT);
    }

    @Override
    public void requestShutdown(boolean force) {
        try {
            call("PUT", "/vm/shutdown", Json.mapper().createObjectNode().put("force", force), QUICK);
        } catch (VmException e) {
            // gone already: that is what was asked
        }
    }

    @Override
    public void stop(VmExit reason) {
        requestShutdown(true);
    }

    @Override
    public Info info() {
        JsonNode j;
        try {
            j = call("GET", "/vm", null, QUICK);
        } catch (VmException e) {
            return new Info(name, State.STOPPED, 0, 0, List.of());
        }
        List<DeviceInfo> devices = new ArrayList<>();
        for (JsonNode d : j.path("devices")) {
            List<String> commands = new ArrayList<>();
            d.path("commands").forEach(c -> commands.add(c.asText()));
            devices.add(new DeviceInfo(d.path("id").asText(), d.path("type").asText(), d.path("snapshottable").asBoolean(),
                    commands));
        }
        return new Info(j.path("name").asText(name), State.valueOf(j.path("state").asText("STOPPED")),
                j.path("vcpus").asInt(), j.path("memoryBytes").asLong(), devices);
    }

    @Override
    public List<DeviceCommand> deviceCommands(String deviceId) throws VmException {
        JsonNode j = call("GET", "/vm/devices/" + deviceId + "/commands", null, QUICK);
        List<DeviceCommand> list = new ArrayList<>();
        for (JsonNode c : j.path("commands")) {
            String command = c.path("name").asText();
            list.add(new DeviceCommand(command, c.path("arguments").asText(), c.path("description").asText(), args -> {
                try {
                    return runDeviceCommand(deviceId, command, args);
                } catch (VmException e) {
                    throw new DeviceCommandException(e.getMessage());
                }
            }));
        }
        return list;
    }

    @Override
    public String runDeviceCommand(String deviceId, String command, List<String> arguments) throws VmException {
        ObjectNode body = Json.mapper().createObjectNode().put("command", command);
        arguments.forEach(body.putArray("args")::add);
        return call("PUT", "/vm/devices/" + deviceId + "/command", body, QUICK).path("output").asText();
    }

    /** Types {@code bytes} into the guest's serial console. */
    public void type(byte[] bytes) throws IOException {
        ApiClient.Answer a = client.send("PUT", "/api/v1/vm/console", "application/octet-stream", bytes, QUICK);
        if (!a.ok()) {
            throw new IOException(a.error());
        }
    }

    /** The guest's serial output, the recent part first, until the VM stops or the stream is closed. */
    public InputStream console() throws IOException {
        return client.stream("/api/v1/vm/console");
    }
}

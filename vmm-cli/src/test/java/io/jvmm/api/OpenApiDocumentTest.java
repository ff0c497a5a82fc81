package io.jvmm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmm.console.ConsoleTap;
import io.jvmm.console.NullConsole;
import io.jvmm.control.EventedControl;
import io.jvmm.control.FakeVm;
import io.jvmm.control.VmEvents;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document in the repository is the one served, and it describes the server: every
 * documented operation answers with a documented status, a JSON answer has every property its
 * schema requires, and every route the server has is documented.
 */
class OpenApiDocumentTest {
    private static final Duration T = Duration.ofSeconds(10);

    /** Minimal valid bodies for the operations that need one. */
    private static final Map<String, String> BODIES = Map.of(
            "snapshot", "{\"dir\": \"/tmp/jvmm-openapi-snap\"}",
            "shutdown", "{\"force\": false}",
            "deviceCommand", "{\"command\": \"stats\"}");

    @TempDir
    Path tmp;

    @Test
    void everyDocumentedOperationAnswersAsDocumented() throws Exception {
        FakeVm fake = new FakeVm();
        ConsoleTap console = new ConsoleTap(new NullConsole());
        console.attachInput(b -> { });
        Path socket = tmp.resolve("vm.sock");
        try (ApiServer server = ApiServer.start(socket, new EventedControl(fake, new VmEvents()), console, "vm.toml")) {
            ApiClient client = new ApiClient(socket);
            JsonNode doc = client.call("GET", "/api/v1/openapi.json", null, T).json();
            assertThat(doc).isEqualTo(Json.mapper().readTree(
                    Files.readAllBytes(Path.of("src/main/resources/io/jvmm/api/openapi.json"))));
            JsonNode schemas = doc.get("components").get("schemas");
            List<String> checked = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> p = paths.next();
                String path = "/api/v1" + p.getKey().replace("{id}", "balloon0");
                for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    String method = op.getKey().toUpperCase();
                    String id = op.getValue().get("operationId").asText();
                    JsonNode responses = op.getValue().get("responses");
                    if (method.equals("GET") && (id.equals("events") || id.equals("consoleOutput"))) {
                        try (InputStream in = client.stream(path)) {
                            checked.add(id);
                        }
                        continue;
                    }
                    ApiClient.Answer a = id.equals("consoleInput")
                            ? client.send(method, path, "application/octet-stream", new byte[] {'x'}, T)
                            : client.call(method, path, BODIES.get(id), T);
                    JsonNode documented = responses.get(Integer.toString(a.status()));
                    assertThat(documented).as(id + " answered " + a.status() + ": " + a.text()).isNotNull();
                    JsonNode schema = documented.path("content").path("application/json").path("schema");
                    if (!schema.isMissingNode()) {
                        if (schema.has("$ref")) {
                            schema = schemas.get(schema.get("$ref").asText().replace("#/components/schemas/", ""));
                        }
                        for (JsonNode required : schema.path("required")) {
                            assertThat(a.json().has(required.asText())).as(id + " lacks " + required + ": " + a.text())
                                    .isTrue();
                        }
                    }
                    checked.add(id);
                }
                fake.state = io.jvmm.control.VmControl.State.RUNNING;
            }
            assertThat(checked).containsExactlyInAnyOrder("openapi", "getVm", "pause", "resume", "snapshot", "shutdown",
                    "events", "consoleOutput", "consoleInput", "deviceCommands", "deviceCommand");
        }
    }
}

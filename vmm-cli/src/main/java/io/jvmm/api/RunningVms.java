package io.jvmm.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The VMs answering on the API sockets of a directory, as {@code jvmm ls} and the shell's {@code ls} show them. */
public final class RunningVms {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private RunningVms() {
    }

    /** What {@code GET /api/v1/vm} answers for each socket in {@code dir} that answers, by name. */
    public static List<JsonNode> in(Path dir) throws IOException {
        List<JsonNode> vms = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return vms;
        }
        List<Path> sockets = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*.sock")) {
            found.forEach(sockets::add);
        }
        // All at once: a VM that is busy starting (its server is slow to answer on a loaded host)
        // costs the listing one timeout, not one per VM.
        List<java.util.concurrent.CompletableFuture<JsonNode>> answers = sockets.stream()
                .map(s -> java.util.concurrent.CompletableFuture.supplyAsync(() -> ask(s), POOL)).toList();
        for (var f : answers) {
            JsonNode j = f.join();
            if (j != null) {
                vms.add(j);
            }
        }
        vms.sort(Comparator.comparing(j -> j.path("name").asText()));
        return vms;
    }

    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jvmm-ls");
        t.setDaemon(true);
        return t;
    });

    /** What the VM on {@code socket} says, or null for a dead VM's socket (the next VM of that name replaces it). */
    private static JsonNode ask(Path socket) {
        try {
            ApiClient.Answer a = new ApiClient(socket).call("GET", "/api/v1/vm", null, TIMEOUT);
            return a.ok() ? a.json() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A table: a header line, then a line per VM. */
    public static List<String> table(List<JsonNode> vms) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-20s %8s %-8s %5s %8s  %s", "NAME", "PID", "STATE", "VCPUS", "MEMORY", "SOCKET"));
        for (JsonNode j : vms) {
            lines.add(String.format("%-20s %8d %-8s %5d %6dMi  %s", j.path("name").asText(), j.path("pid").asLong(),
                    j.path("state").asText(), j.path("vcpus").asInt(), j.path("memoryBytes").asLong() >> 20,
                    j.path("socket").asText()));
        }
        return lines;
    }
}

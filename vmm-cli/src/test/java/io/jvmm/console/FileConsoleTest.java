package io.jvmm.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.config.SerialSection;
import io.jvmm.vm.SerialConsole;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConsoleTest {
    @TempDir
    Path tmp;

    @Test
    void truncatesTheFileAndFlushesEachLine() throws Exception {
        Path log = tmp.resolve("serial.log");
        Files.writeString(log, "old run\n");
        try (SerialConsole console = Consoles.open(SerialSection.file(log))) {
            assertThat(console).isInstanceOf(FileConsole.class);
            for (byte b : "Linux version\npartial".getBytes(StandardCharsets.US_ASCII)) {
                console.output().write(b);
            }
            assertThat(Files.readString(log)).isEqualTo("Linux version\n");
        }
        assertThat(Files.readString(log)).isEqualTo("Linux version\npartial");
    }

    @Test
    void offDiscardsOutput() throws Exception {
        try (SerialConsole console = Consoles.open(SerialSection.OFF)) {
            assertThat(console).isInstanceOf(NullConsole.class);
            console.output().write("anything".getBytes(StandardCharsets.US_ASCII));
            console.attachInput(b -> {
                throw new AssertionError("no input expected");
            });
        }
    }
}

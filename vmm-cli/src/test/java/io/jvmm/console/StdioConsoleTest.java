package io.jvmm.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StdioConsoleTest {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @Test
    void withoutATerminalStdinBytesReachTheGuestAsTheyAreEscapeIncluded() throws Exception {
        byte[] input = "echo hi\n\u0001x\u0003".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream guest = new ByteArrayOutputStream();
        CountDownLatch all = new CountDownLatch(input.length);
        boolean[] quit = new boolean[1];
        try (StdioConsole console = new StdioConsole(new ByteArrayInputStream(input), stdout,
                new PrintStream(stderr), false)) {
            console.onQuit(() -> quit[0] = true);
            console.attachInput(bytes -> {
                synchronized (guest) {
                    guest.writeBytes(bytes);
                }
                for (int i = 0; i < bytes.length; i++) {
                    all.countDown();
                }
            });
            assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(console.isRaw()).isFalse();
        }
        assertThat(guest.toByteArray()).isEqualTo(input);
        assertThat(quit[0]).isFalse();
        assertThat(stderr.toString()).doesNotContain("Ctrl-A");
    }

    @Test
    void guestOutputGoesStraightToStdoutAndCloseLeavesStdoutUsable() throws Exception {
        StdioConsole console = new StdioConsole(new ByteArrayInputStream(new byte[0]), stdout, new PrintStream(stderr), false);
        console.output().write('A');
        assertThat(stdout.toString()).isEqualTo("A");
        console.output().close();
        console.close();
        console.close();
        console.output().write('B');
        assertThat(stdout.toString()).isEqualTo("AB");
    }
}

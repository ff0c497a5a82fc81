package io.jvmm.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.kvm.LibC;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native terminal check that lets a headless run skip JLine's child processes: isatty
 * through the VMM's libc binding, on a real pseudo-terminal, a file and this JVM's stdin.
 */
class RawTerminalTest {
    @Test
    void isattyTellsAPseudoTerminalFromAFile(@TempDir Path dir) throws Exception {
        int master = LibC.open("/dev/ptmx", LibC.O_RDWR | LibC.O_CLOEXEC);
        Path file = Files.writeString(dir.resolve("not-a-tty"), "x");
        int plain = LibC.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        try {
            assertThat(LibC.isatty(master)).isEqualTo(1);
            assertThat(LibC.isatty(plain)).isZero();
        } finally {
            LibC.close(master);
            LibC.close(plain);
        }
    }

    @Test
    void stdinThatIsNotATerminalIsLeftAsItIs() throws Exception {
        // Surefire feeds a forked test JVM's stdin through a pipe.
        assertThat(LibC.isatty(0)).as("this test needs stdin not to be a terminal").isZero();
        assertThat(RawTerminal.open()).isEmpty();
    }
}

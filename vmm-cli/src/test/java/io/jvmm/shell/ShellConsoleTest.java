package io.jvmm.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jline.utils.NonBlocking;
import org.junit.jupiter.api.Test;

class ShellConsoleTest {
    private static void print(ShellConsole c, String s) throws Exception {
        c.output().write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsOutputWhileDetachedAndShowsOnlyWhatIsNew() throws Exception {
        ShellConsole c = new ShellConsole();
        print(c, "one\n");
        assertThat(new String(c.unseen(), StandardCharsets.UTF_8)).isEqualTo("one\n");
        print(c, "two\n");
        assertThat(new String(c.unseen(), StandardCharsets.UTF_8)).isEqualTo("two\n");
        assertThat(c.unseen()).isEmpty();
        assertThat(new String(c.buffered(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
    }

    @Test
    void theRingDropsTheOldestBytes() throws Exception {
        ShellConsole c = new ShellConsole();
        byte[] big = new byte[ShellConsole.CAPACITY + 10];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        c.output().write(big, 0, 5);
        c.output().write(big, 5, big.length - 5);
        byte[] kept = c.buffered();
        assertThat(kept).hasSize(ShellConsole.CAPACITY);
        assertThat(kept[0]).isEqualTo(big[10]);
        assertThat(kept[kept.length - 1]).isEqualTo(big[big.length - 1]);
        assertThat(c.dropped()).isEqualTo(10);
    }

    @Test
    void attachForwardsKeysShowsOutputAndCtrlBracketDetaches() throws Exception {
        ShellConsole c = new ShellConsole();
        List<String> sent = new ArrayList<>();
        c.attachInput(b -> sent.add(new String(b, StandardCharsets.UTF_8)));
        print(c, "before\n");
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        var keys = NonBlocking.nonBlocking("test", new StringReader("ls\r\u0001\u0001\u0001q\u001drest"));
        assertThat(c.attach(keys, screen, () -> true)).isEqualTo(ShellConsole.Detach.ESCAPE);
        assertThat(String.join("", sent)).isEqualTo("ls\r\u0001\u0001q");
        assertThat(screen.toString(StandardCharsets.UTF_8)).isEqualTo("before\n");
        print(c, "after\n"); // detached: buffered, not on the screen
        assertThat(screen.toString(StandardCharsets.UTF_8)).isEqualTo("before\n");
        assertThat(new String(c.unseen(), StandardCharsets.UTF_8)).isEqualTo("after\n");
    }

    @Test
    void ctrlAxDetachesAndAStoppedVmEndsTheSession() throws Exception {
        ShellConsole c = new ShellConsole();
        var keys = NonBlocking.nonBlocking("test", new StringReader("a\u0001x"));
        assertThat(c.attach(keys, new ByteArrayOutputStream(), () -> true)).isEqualTo(ShellConsole.Detach.ESCAPE);
        var none = NonBlocking.nonBlocking("test", new StringReader("abc"));
        assertThat(c.attach(none, new ByteArrayOutputStream(), () -> false)).isEqualTo(ShellConsole.Detach.VM_STOPPED);
    }
}

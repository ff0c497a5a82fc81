package io.jvmm.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class EscapeFilterTest {
    private final ByteArrayOutputStream guest = new ByteArrayOutputStream();
    private int quits;
    private int helps;
    private final EscapeFilter filter = new EscapeFilter(guest::writeBytes, () -> quits++, () -> helps++);

    private boolean type(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return filter.accept(b, b.length);
    }

    @Test
    void ordinaryKeysIncludingCtrlCGoToTheGuest() {
        assertThat(type("ls\r\u0003")).isTrue();
        assertThat(guest.toString()).isEqualTo("ls\r\u0003");
        assertThat(quits).isZero();
    }

    @Test
    void ctrlAXQuitsAndDropsWhatFollows() {
        assertThat(type("ab\u0001xcd")).isFalse();
        assertThat(guest.toString()).isEqualTo("ab");
        assertThat(quits).isEqualTo(1);
    }

    @Test
    void ctrlACtrlASendsOneCtrlA() {
        type("\u0001\u0001z");
        assertThat(guest.toString()).isEqualTo("\u0001z");
        assertThat(quits).isZero();
    }

    @Test
    void ctrlAThenAnotherKeySendsBoth() {
        type("\u0001c");
        assertThat(guest.toString()).isEqualTo("\u0001c");
    }

    @Test
    void theEscapeCarriesOverBetweenReads() {
        assertThat(type("q\u0001")).isTrue();
        assertThat(guest.toString()).isEqualTo("q");
        assertThat(type("x")).isFalse();
        assertThat(quits).isEqualTo(1);
    }

    @Test
    void ctrlAHPrintsHelpAndSendsNothing() {
        type("a\u0001hb");
        assertThat(helps).isEqualTo(1);
        assertThat(guest.toString()).isEqualTo("ab");
    }
}

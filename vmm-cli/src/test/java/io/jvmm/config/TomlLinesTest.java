package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TomlLinesTest {
    private final TomlLines lines = TomlLines.of("""
            top = 1
            [vm]
              memory = "1G"
            "name" = "x"
            [[device]]
            path = "a"
            [[device]]   # second
            path = "b"
            [device.sub]
            path = "c"
            [ serial ]
            """);

    @Test
    void findsKeysWithinTheRightTable() {
        assertThat(lines.key("", "top")).isEqualTo(1);
        assertThat(lines.key("vm", "memory")).isEqualTo(3);
        assertThat(lines.key("vm", "name")).isEqualTo(4);
        assertThat(lines.arrayKey("device", 1, "path")).isEqualTo(6);
        assertThat(lines.arrayKey("device", 2, "path")).isEqualTo(8);
    }

    @Test
    void fallsBackToTheTableLineOrZero() {
        assertThat(lines.key("vm", "vcpus")).isEqualTo(2);
        assertThat(lines.arrayKey("device", 2, "type")).isEqualTo(7);
        assertThat(lines.key("boot", "kernel")).isZero();
        assertThat(lines.key("", "nothing")).isZero();
        assertThat(lines.table("serial")).isEqualTo(11);
        assertThat(lines.table("device")).isEqualTo(5);
    }
}

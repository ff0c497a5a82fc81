package io.jvmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "4096, 4096",
        "4K, 4096",
        "4k, 4096",
        "512M, 536870912",
        "512m, 536870912",
        "2G, 2147483648",
        "' 64M ', 67108864",
        "8589934591G, 9223372035781033984",
        "9223372036854775807, 9223372036854775807",
    })
    void parsesNumbersWithBinarySuffixes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "12X", "M", "-1", "-5M", "1.5G", "1 G", "0x10", "+5", "5MB", "5MiB",
        "8589934592G", "9223372036854775808", "99999999999999999999K"})
    void rejectsAnythingElseIncludingOverflow(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"536870912, 512 MiB", "2147483648, 2 GiB", "1536, 1536 bytes", "3072, 3 KiB", "0, 0 bytes"})
    void formatsForPeople(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }
}

package io.jvmm.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The POM installed with jvmm-spi is the flattened one (flatten-maven-plugin, before tests):
 * an outside author's build resolves it without jvmm-parent, and it pins every dependency.
 */
class ConsumerPomTest {
    @Test
    void theInstalledPomNeedsNoParentAndPinsSlf4j() throws Exception {
        Path testClasses = Path.of(ConsumerPomTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pom = Files.readString(testClasses.getParent().resolve(".flattened-pom.xml"));
        assertThat(pom).doesNotContain("<parent>").contains("<artifactId>jvmm-spi</artifactId>")
                .containsPattern("<artifactId>slf4j-api</artifactId>\\s*<version>\\d+\\.\\d+\\.\\d+</version>");
        assertThat(pom.split("<dependency>", -1)).as("dependencies: slf4j-api only").hasSize(2);
    }
}

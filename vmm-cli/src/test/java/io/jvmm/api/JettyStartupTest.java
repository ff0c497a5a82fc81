package io.jvmm.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class JettyStartupTest {
    @Test
    void referencesPerCacheLineFollowsTheHeapLimitAsHotSpotsCompressedOopsDo() {
        assertThat(JettyStartup.referencesPerCacheLine(512L << 20)).isEqualTo(16);
        assertThat(JettyStartup.referencesPerCacheLine((32L << 30) - 1)).isEqualTo(16);
        assertThat(JettyStartup.referencesPerCacheLine(64L << 30)).isEqualTo(8);
    }

    @Test
    void theGuessMatchesThisJvm() throws Exception {
        // What Jetty would have asked JMX: this JVM's UseCompressedOops.
        var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        boolean compressed = Boolean.parseBoolean(bean.getVMOption("UseCompressedOops").getValue());
        assertThat(JettyStartup.referencesPerCacheLine(Runtime.getRuntime().maxMemory())).isEqualTo(compressed ? 16 : 8);
    }
}

package io.jvmm.cli;

import io.jvmm.spi.SpiVersion;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the jar manifest's Implementation-Version ("dev" when run from classes), Java and OS. */
public final class ManifestVersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "jvmm " + version() + " (device plugin SPI " + SpiVersion.CURRENT + ")",
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        };
    }

    /** The version of the running jvmm. */
    public static String version() {
        String v = JvmmCommand.class.getPackage().getImplementationVersion();
        return v != null && !v.isBlank() ? v : "dev";
    }
}

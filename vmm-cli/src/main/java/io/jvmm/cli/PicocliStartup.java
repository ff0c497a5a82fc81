package io.jvmm.cli;

/**
 * What picocli would otherwise do at every start for types no jvmm option has. Each command
 * line's parser registers a converter for every {@code java.time} and {@code java.sql} value
 * type it finds by reflection ({@code Class.forName}, then {@code getDeclaredMethod}, which
 * resolves every method signature of the class): 94 classes loaded and linked before the first
 * option is read ({@code jvmm run}'s class-loading log on the host, 2026-12-07). In a 1-vCPU
 * nested test host, where the JVM runs emulated, skipping them brought the parsed command line
 * 0.49 s sooner (median of 8, docs/startup-l1-2026-12-07.txt). picocli's own switch, the
 * system property {@value #EXCLUDES} (regular expressions, comma-separated), skips them.
 * {@code PicocliStartupTest} checks that no option of jvmm's or of its shell has such a type,
 * so nothing that parses today is lost.
 */
public final class PicocliStartup {
    public static final String EXCLUDES = "picocli.converters.excludes";
    /** The built-in converters jvmm needs none of. */
    public static final String UNUSED_CONVERTERS = "java\\.time\\..*,java\\.sql\\..*";

    private PicocliStartup() {
    }

    /** Sets {@value #EXCLUDES}, unless the user set it; call before the first {@code CommandLine}. */
    static void skipUnusedConverters() {
        if (System.getProperty(EXCLUDES) == null) {
            System.setProperty(EXCLUDES, UNUSED_CONVERTERS);
        }
    }
}

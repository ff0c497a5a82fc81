package io.jvmm.api;

/**
 * What Jetty would otherwise work out at start-up at a cost out of all proportion to its use.
 * Jetty's {@code MemoryUtils} (jetty-util 12) sizes the padding of its contended counters by
 * asking the platform MBean server whether the JVM uses compressed oops, unless the system
 * property {@value #REFERENCES_PER_CACHE_LINE} is set. That one question starts JMX: about 220
 * classes and 100-150 ms of CPU on the host, seconds in the nested test host, for every VM
 * started with the API, while its guest boots.
 */
final class JettyStartup {
    static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";
    /** HotSpot compresses object references when the heap can be at most this large (32 GiB). */
    private static final long COMPRESSED_OOPS_MAX_HEAP = 32L << 30;
    private static final int CACHE_LINE_BYTES = 64;

    private JettyStartup() {
    }

    /**
     * Sets {@value #REFERENCES_PER_CACHE_LINE} from the heap limit, unless the user set it. A
     * wrong guess would only change padding (false sharing between counters), never behaviour.
     */
    static void skipJmxLookup() {
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(REFERENCES_PER_CACHE_LINE, Integer.toString(referencesPerCacheLine(Runtime.getRuntime().maxMemory())));
        }
    }

    static int referencesPerCacheLine(long maxHeapBytes) {
        int referenceBytes = maxHeapBytes < COMPRESSED_OOPS_MAX_HEAP ? 4 : 8;
        return CACHE_LINE_BYTES / referenceBytes;
    }
}

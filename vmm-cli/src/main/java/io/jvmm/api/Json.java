package io.jvmm.api;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The API's one JSON mapper (server and client), made at its first use rather than when the
 * server starts: a VM whose API is never asked never pays for Jackson, about 700 classes and
 * 65 ms of the host's CPU, which in the emulated nested host is CPU taken from the guest's boot.
 */
final class Json {
    private Json() {
    }

    static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** Initialised by the JVM on the first call of {@link #mapper()}, once, thread-safely (JLS 12.4.2). */
    private static final class Holder {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}

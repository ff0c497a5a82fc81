package io.jvmm.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The API's OpenAPI 3 document, {@code openapi.json} in this package's resources, served as is. */
final class OpenApi {
    private static volatile byte[] document;

    private OpenApi() {
    }

    static byte[] document() {
        byte[] d = document;
        if (d == null) {
            try (InputStream in = OpenApi.class.getResourceAsStream("openapi.json")) {
                if (in == null) {
                    throw new IllegalStateException("openapi.json is missing from the jar");
                }
                d = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            document = d;
        }
        return d;
    }
}

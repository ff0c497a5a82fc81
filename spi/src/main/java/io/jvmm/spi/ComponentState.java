package io.jvmm.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * One component's saved state: an opaque, versioned payload. The VMM stores it keyed by
 * {@code id} with a checksum; on restore it is untrusted input that the component
 * validates before use.
 *
 * @param id      the component's stable id (the device id)
 * @param version the format version of {@code payload}, chosen by the component
 * @param payload the encoded state
 */
public record ComponentState(String id, int version, byte[] payload) {
    public ComponentState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComponentState s && s.id.equals(id) && s.version == version
                && Arrays.equals(s.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, version, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "ComponentState[id=" + id + ", version=" + version + ", " + payload.length + " bytes]";
    }
}

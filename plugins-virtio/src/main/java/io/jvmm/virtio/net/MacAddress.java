package io.jvmm.virtio.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** An Ethernet MAC address. */
record MacAddress(byte[] bytes) {
    public MacAddress {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("expected six hex bytes like \"52:54:00:12:34:56\"");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (!parts[i].matches("[0-9a-fA-F]{2}")) {
                throw new IllegalArgumentException("\"" + parts[i] + "\" is not a hex byte; expected six hex bytes "
                        + "like \"52:54:00:12:34:56\"");
            }
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        MacAddress mac = new MacAddress(b);
        if (mac.multicast()) {
            throw new IllegalArgumentException("is a multicast address (lowest bit of the first byte set); a NIC "
                    + "needs a unicast one, e.g. \"02:...\"");
        }
        if (Arrays.equals(b, new byte[6])) {
            throw new IllegalArgumentException("is all zeroes");
        }
        return mac;
    }

    /**
     * A locally administered unicast address (02:6a:76, "jv", then three bytes of a hash of
     * {@code seed}): the same seed gives the same MAC on every run, so guest network config
     * that keys on the MAC keeps working.
     */
    static MacAddress derive(String seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return new MacAddress(new byte[] {0x02, 0x6a, 0x76, h[0], h[1], h[2]});
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }

    boolean multicast() {
        return (bytes[0] & 1) != 0;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}

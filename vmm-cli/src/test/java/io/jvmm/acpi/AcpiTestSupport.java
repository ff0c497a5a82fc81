package io.jvmm.acpi;

import io.jvmm.spi.GuestMemory;
import java.nio.charset.StandardCharsets;

/** Reads ACPI tables back out of guest memory the way an OS would. */
final class AcpiTestSupport {
    private AcpiTestSupport() {
    }

    static String signature(GuestMemory mem, long address) {
        byte[] sig = new byte[4];
        mem.read(address, sig);
        return new String(sig, StandardCharsets.US_ASCII);
    }

    /** The whole table at {@code address}, its length taken from its header. */
    static byte[] table(GuestMemory mem, long address) {
        byte[] t = new byte[mem.readInt(address + 4)];
        mem.read(address, t);
        return t;
    }

    static int byteSum(byte[] data, int length) {
        int sum = 0;
        for (int i = 0; i < length; i++) {
            sum += data[i];
        }
        return sum & 0xff;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

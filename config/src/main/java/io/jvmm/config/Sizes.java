package io.jvmm.config;

import java.util.Locale;

/** Byte sizes written as {@code 512M}, {@code 2G}, {@code 64K} or a plain number of bytes (binary multiples). */
public final class Sizes {
    /** The expected form, for error messages. */
    public static final String EXPECTED = "a size like 512M, 2G or a number of bytes";

    public static final long KIB = 1L << 10;
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;

    private Sizes() {
    }

    /**
     * Parses a size: digits, optionally followed by one of K, M, G (or k, m, g), meaning
     * KiB, MiB, GiB.
     *
     * @throws IllegalArgumentException when {@code text} is not of that form or the size
     *         does not fit in a long
     */
    public static long parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        long unit = 1;
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        switch (last) {
            case 'K' -> unit = KIB;
            case 'M' -> unit = MIB;
            case 'G' -> unit = GIB;
            default -> {
                if (!Character.isDigit(last)) {
                    throw new IllegalArgumentException("unknown size suffix '" + s.charAt(s.length() - 1) + "'");
                }
            }
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a size");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size too large");
        }
    }

    /** A size for people: {@code 512 MiB}, {@code 2 GiB}, {@code 1536 KiB}, {@code 100 bytes}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + " GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + " KiB";
        }
        return String.format(Locale.ROOT, "%d bytes", bytes);
    }
}

package io.jvmm.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the few AML terms the DSDT needs (ACPI 6.4, 20.2 "AML Grammar Definition"). Every
 * method returns the bytes of one complete term, so terms nest by passing bytes to bytes.
 */
public final class Aml {
    // 20.2.3 Data Objects Encoding, 20.2.5 Term Objects Encoding.
    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int ONES_OP = 0xff;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0a;
    static final int WORD_PREFIX = 0x0b;
    static final int DWORD_PREFIX = 0x0c;
    static final int STRING_PREFIX = 0x0d;
    static final int QWORD_PREFIX = 0x0e;
    static final int SCOPE_OP = 0x10;
    static final int BUFFER_OP = 0x11;
    static final int PACKAGE_OP = 0x12;
    static final int EXT_OP_PREFIX = 0x5b;
    static final int DEVICE_OP = 0x82;
    // 20.2.2 Name Objects Encoding.
    static final int NULL_NAME = 0x00;
    static final int DUAL_NAME_PREFIX = 0x2e;
    static final int MULTI_NAME_PREFIX = 0x2f;
    static final int ROOT_CHAR = '\\';
    static final int PARENT_PREFIX_CHAR = '^';

    private Aml() {
    }

    /**
     * PkgLength (20.2.4) for a value that already counts the PkgLength bytes themselves: one
     * byte up to 63; otherwise bits 7-6 of the lead byte give the number of following bytes,
     * its bits 3-0 are the low nibble of the value and each following byte the next 8 bits.
     */
    public static byte[] pkgLength(int value) {
        if (value < 0 || value >= 1 << 28) {
            throw new IllegalArgumentException("PkgLength out of range: " + value);
        }
        if (value < 1 << 6) {
            return new byte[] {(byte) value};
        }
        int following = value < 1 << 12 ? 1 : value < 1 << 20 ? 2 : 3;
        byte[] out = new byte[following + 1];
        out[0] = (byte) ((following << 6) | (value & 0x0f));
        for (int i = 1; i <= following; i++) {
            out[i] = (byte) (value >>> (4 + 8 * (i - 1)));
        }
        return out;
    }

    /** {@code body} preceded by the smallest PkgLength that covers it and itself. */
    static byte[] withPkgLength(byte[] body) {
        for (int size = 1; size <= 4; size++) {
            long value = (long) body.length + size;
            if (value < 1L << (size == 1 ? 6 : 4 + 8 * (size - 1))) {
                return concat(pkgLength((int) value), body);
            }
        }
        throw new IllegalArgumentException("AML package too long: " + body.length + " bytes");
    }

    /**
     * NameString (20.2.2): an optional root ({@code \}) or parent ({@code ^}) prefix, then
     * dot-separated 4-character NameSegs; shorter segments are padded with '_' as ASL does
     * ({@code _SB} is {@code _SB_}).
     */
    public static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        if (path.startsWith("\\")) {
            out.write(ROOT_CHAR);
            i = 1;
        } else {
            while (i < path.length() && path.charAt(i) == '^') {
                out.write(PARENT_PREFIX_CHAR);
                i++;
            }
        }
        String rest = path.substring(i);
        String[] segs = rest.isEmpty() ? new String[0] : rest.split("\\.", -1);
        if (segs.length == 2) {
            out.write(DUAL_NAME_PREFIX);
        } else if (segs.length > 2) {
            if (segs.length > 255) {
                throw new IllegalArgumentException("too many name segments: " + path);
            }
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        } else if (segs.length == 0) {
            out.write(NULL_NAME);
        }
        for (String seg : segs) {
            out.writeBytes(nameSeg(seg, path));
        }
        return out.toByteArray();
    }

    /** NameSeg: LeadNameChar ('A'-'Z', '_') then NameChars ('A'-'Z', '0'-'9', '_'). */
    private static byte[] nameSeg(String seg, String path) {
        if (seg.isEmpty() || seg.length() > 4) {
            throw new IllegalArgumentException("bad name segment '" + seg + "' in " + path);
        }
        byte[] out = {'_', '_', '_', '_'};
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                throw new IllegalArgumentException("bad character '" + c + "' in name " + path);
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /**
     * ComputationalData integer (20.2.3) in the shortest form: ZeroOp, OneOp, OnesOp (all ones;
     * 64 bits wide because the DSDT is revision 2), or a Byte/Word/DWord/QWord constant.
     */
    public static byte[] integer(long value) {
        if (value == 0) {
            return new byte[] {ZERO_OP};
        }
        if (value == 1) {
            return new byte[] {ONE_OP};
        }
        if (value == -1L) {
            return new byte[] {(byte) ONES_OP};
        }
        if (Long.compareUnsigned(value, 0xff) <= 0) {
            return littleEndian(BYTE_PREFIX, value, 1);
        }
        if (Long.compareUnsigned(value, 0xffff) <= 0) {
            return littleEndian(WORD_PREFIX, value, 2);
        }
        if (Long.compareUnsigned(value, 0xffff_ffffL) <= 0) {
            return littleEndian(DWORD_PREFIX, value, 4);
        }
        return littleEndian(QWORD_PREFIX, value, 8);
    }

    private static byte[] littleEndian(int prefix, long value, int size) {
        byte[] out = new byte[size + 1];
        out[0] = (byte) prefix;
        for (int i = 0; i < size; i++) {
            out[i + 1] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    /** String (20.2.3): StringPrefix, ASCII characters 0x01-0x7F, NUL. */
    public static byte[] string(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == 0 || s.charAt(i) > 0x7f) {
                throw new IllegalArgumentException("AML strings are ASCII without NUL: " + s);
            }
        }
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 2];
        out[0] = STRING_PREFIX;
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    /**
     * A compressed EISA id as the ASL EISAID() macro makes it (ACPI 6.4, 19.6 "EISAID"): three letters of 5
     * bits each ('A' = 1) in bits 30-16 and four hex digits in bits 15-0, stored byte-swapped.
     */
    public static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new IllegalArgumentException("not an EISA id (3 letters, 4 hex digits): " + id);
        }
        int v = ((id.charAt(0) - 0x40) << 26) | ((id.charAt(1) - 0x40) << 21) | ((id.charAt(2) - 0x40) << 16)
                | Integer.parseInt(id.substring(3), 16);
        return integer(Integer.reverseBytes(v) & 0xffff_ffffL);
    }

    /** DefName (20.2.5.1): NameOp NameString DataRefObject. */
    public static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    /** DefScope (20.2.5.1): ScopeOp PkgLength NameString TermList. */
    public static byte[] scope(String name, byte[]... terms) {
        return concat(new byte[] {SCOPE_OP}, withPkgLength(concat(nameString(name), concat(terms))));
    }

    /** DefDevice (20.2.5.2): ExtOpPrefix DeviceOp PkgLength NameString TermList. */
    public static byte[] device(String name, byte[]... terms) {
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, withPkgLength(concat(nameString(name), concat(terms))));
    }

    /** DefPackage (20.2.5.4): PackageOp PkgLength NumElements PackageElementList. */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) {
            throw new IllegalArgumentException("a Package holds at most 255 elements, not " + elements.length);
        }
        return concat(new byte[] {PACKAGE_OP}, withPkgLength(concat(new byte[] {(byte) elements.length}, concat(elements))));
    }

    /** DefBuffer (20.2.5.4): BufferOp PkgLength BufferSize ByteList. */
    public static byte[] buffer(byte[] data) {
        return concat(new byte[] {BUFFER_OP}, withPkgLength(concat(integer(data.length), data)));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

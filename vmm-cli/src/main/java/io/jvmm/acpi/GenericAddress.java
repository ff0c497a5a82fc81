package io.jvmm.acpi;

import java.nio.ByteBuffer;

/**
 * Generic Address Structure (ACPI 6.4, 5.2.3.2): where a register lives.
 *
 * @param spaceId    0 system memory, 1 system I/O
 * @param bitWidth   register size in bits
 * @param bitOffset  offset of the register within the address
 * @param accessSize 0 undefined, 1 byte, 2 word, 3 dword, 4 qword
 * @param address    port or physical address
 */
record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    static final int SIZE = 12;
    static final int SYSTEM_IO = 1;
    static final int ACCESS_BYTE = 1;
    static final int ACCESS_WORD = 2;

    static GenericAddress io(int port, int bitWidth, int accessSize) {
        return new GenericAddress(SYSTEM_IO, bitWidth, 0, accessSize, port);
    }

    void writeTo(ByteBuffer b, int offset) {
        b.put(offset, (byte) spaceId);
        b.put(offset + 1, (byte) bitWidth);
        b.put(offset + 2, (byte) bitOffset);
        b.put(offset + 3, (byte) accessSize);
        b.putLong(offset + 4, address);
    }
}

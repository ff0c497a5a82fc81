package io.jvmm.pci;

import io.jvmm.spi.PciBar;
import io.jvmm.spi.PciBarAllocator;
import io.jvmm.spi.PciDevice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A PCI function whose registers read as {@code 0xRR00_00RR}-style patterns and that records writes. */
final class FakePciDevice implements PciDevice {
    final String id;
    final Map<Integer, Integer> registers = new HashMap<>();
    final List<String> writes = new ArrayList<>();
    final List<long[]> moves = new ArrayList<>();
    BarReprogram nextReprogram;
    RuntimeException failure;

    FakePciDevice(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int readConfigRegister(int reg) {
        if (failure != null) {
            throw failure;
        }
        return registers.getOrDefault(reg, 0x44332211 + reg);
    }

    @Override
    public BarReprogram writeConfigRegister(int reg, int offset, byte[] data) {
        if (failure != null) {
            throw failure;
        }
        StringBuilder s = new StringBuilder(reg + "+" + offset + ":");
        for (byte b : data) {
            s.append(String.format("%02x", b & 0xff));
        }
        writes.add(s.toString());
        BarReprogram r = nextReprogram;
        nextReprogram = null;
        return r;
    }

    @Override
    public List<PciBar> allocateBars(PciBarAllocator allocator) {
        return List.of();
    }

    @Override
    public void moveBar(PciBar bar, long newBase) {
        moves.add(new long[] {bar.address(), newBase});
    }

    @Override
    public void readBar(PciBar bar, long offset, byte[] data) {
    }

    @Override
    public void writeBar(PciBar bar, long offset, byte[] data) {
    }

    @Override
    public void close() {
    }
}

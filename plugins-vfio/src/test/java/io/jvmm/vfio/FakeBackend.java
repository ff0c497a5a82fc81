package io.jvmm.vfio;

import io.jvmm.vfio.backend.DeviceInfo;
import io.jvmm.vfio.backend.IrqInfo;
import io.jvmm.vfio.backend.MmapArea;
import io.jvmm.vfio.backend.PassthroughBackend;
import io.jvmm.vfio.backend.RegionInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A passthrough backend without VFIO: a config space with per-bit write masks (so BAR sizing
 * behaves as on hardware: read-only low bits read back as zeros), BAR contents as plain
 * memory, and a log of every interrupt, reset and DMA call.
 */
public final class FakeBackend implements PassthroughBackend {
    public final byte[] config = new byte[4096];
    public final byte[] configWritable = new byte[4096];
    public final Map<Integer, RegionInfo> regions = new HashMap<>();
    public final Map<Integer, byte[]> regionData = new HashMap<>();
    public final Map<Integer, IrqInfo> irqs = new HashMap<>();
    public final List<String> calls = new ArrayList<>();
    public final List<String> configWrites = new ArrayList<>();
    public final List<String> regionAccesses = new ArrayList<>();
    public boolean resettable = true;
    public boolean closed;

    public FakeBackend() {
        regions.put(CONFIG_REGION, new RegionInfo(CONFIG_REGION, 4096, true, true, false, null, false, 3, 0x70000));
    }

    /**
     * An NVMe-like function: vendor 1b36 device 0010, multi-function bit set, capabilities
     * PM (0x40) -> MSI-X (0x50, 65 vectors, table in BAR0 at 0x2000, PBA at 0x3000) -> PCIe
     * (0x60) -> MSI (0x80, 64-bit, per-vector mask, 4 vectors); extended capabilities AER
     * (0x100) -> SR-IOV (0x140) -> ARI (0x180). BAR0 64-bit 16 KiB, BAR2 I/O 256 bytes, BAR4
     * 32-bit prefetchable 4 KiB, a 64 KiB ROM.
     */
    public static FakeBackend nvmeLike() {
        FakeBackend b = new FakeBackend();
        b.set(0x00, 2, 0x1b36);
        b.set(0x02, 2, 0x0010);
        b.set(0x04, 2, 0x0000);
        b.writable(0x04, 2, 0x0547);
        b.set(0x06, 2, 0x0010);
        b.set(0x08, 4, 0x0108_0202);
        b.set(0x0c, 4, 0x0080_0000);
        b.bar(0, 0x4000, 0x4, 0xfebf_0000L);
        b.bar(2, 0x100, 0x1, 0xc000);
        b.bar(4, 0x1000, 0x8, 0xfeb0_0000L);
        b.set(0x30, 4, 0);
        b.writable(0x30, 4, ~(0x10000 - 1) | 1);
        b.set(0x34, 1, 0x40);
        b.set(0x3c, 4, 0x0000_010b);
        b.writable(0x3c, 1, 0xff);
        // PM
        b.set(0x40, 4, 0x0003_5001);
        // MSI-X: 65 entries (table size field 64), table BIR 0 offset 0x2000, PBA BIR 0 offset 0x3000
        b.set(0x50, 4, 0x0040_6011);
        b.writable(0x52, 2, 0xc000);
        b.set(0x54, 4, 0x2000);
        b.set(0x58, 4, 0x3000);
        // PCIe
        b.set(0x60, 4, 0x0002_8010);
        // MSI: 64-bit, per-vector mask, multiple message capable 2 (4 vectors)
        b.set(0x80, 4, (0x0184 << 16) | 0x0005);
        b.writable(0x82, 2, 0x0071);
        b.writable(0x84, 4, 0xffff_fffc);
        b.writable(0x88, 4, 0xffff_ffff);
        b.writable(0x8c, 2, 0xffff);
        b.writable(0x90, 4, 0xf);
        // Extended: AER -> SR-IOV -> ARI
        b.set(0x100, 4, 0x1401_0001);
        b.set(0x140, 4, 0x1801_0010);
        b.set(0x180, 4, 0x0001_000e);
        b.region(0, 0x4000, true, true, null, true);
        b.region(2, 0x100, false, false, null, false);
        b.region(4, 0x1000, true, true, null, false);
        b.regions.put(ROM_REGION, new RegionInfo(ROM_REGION, 0x10000, true, false, false, null, false, 3, 0x60000));
        b.regionData.put(ROM_REGION, new byte[0x10000]);
        b.irqs.put(INTX_IRQ, new IrqInfo(INTX_IRQ, 1, true, true));
        b.irqs.put(MSI_IRQ, new IrqInfo(MSI_IRQ, 1, false, false));
        b.irqs.put(MSIX_IRQ, new IrqInfo(MSIX_IRQ, 65, false, false));
        return b;
    }

    public void set(int offset, int length, int value) {
        for (int i = 0; i < length; i++) {
            config[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    public void writable(int offset, int length, int mask) {
        for (int i = 0; i < length; i++) {
            configWritable[offset + i] = (byte) (mask >>> (8 * i));
        }
    }

    /** A BAR register pair as hardware has it: address bits above the size writable, flags read-only. */
    public void bar(int index, long size, int flags, long address) {
        int at = 0x10 + 4 * index;
        boolean is64 = (flags & 0x7) == 0x4;
        long mask = ~(size - 1) & ((flags & 1) != 0 ? ~0x3L : ~0xfL);
        set(at, 4, (int) address | flags);
        writable(at, 4, (int) mask);
        if (is64) {
            set(at + 4, 4, (int) (address >>> 32));
            writable(at + 4, 4, (int) (mask >>> 32));
        }
    }

    public void region(int index, long size, boolean mappable, boolean writable, List<MmapArea> sparse,
                       boolean msixMappable) {
        regions.put(index, new RegionInfo(index, size, true, writable, mappable, sparse, msixMappable, 3,
                (long) index << 40));
        regionData.put(index, new byte[(int) size]);
    }

    public int config32(int offset) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (config[offset + i] & 0xff) << (8 * i);
        }
        return v;
    }

    @Override
    public String name() {
        return "0000:00:04.0";
    }

    @Override
    public DeviceInfo deviceInfo() {
        return new DeviceInfo(9, 5, resettable);
    }

    @Override
    public RegionInfo region(int index) {
        return regions.getOrDefault(index, RegionInfo.absent(index));
    }

    @Override
    public IrqInfo irq(int index) {
        return irqs.getOrDefault(index, IrqInfo.absent(index));
    }

    @Override
    public synchronized void read(int region, long offset, byte[] data) {
        if (region == CONFIG_REGION) {
            System.arraycopy(config, (int) offset, data, 0, data.length);
            return;
        }
        regionAccesses.add("read " + region + "+0x" + Long.toHexString(offset) + "/" + data.length);
        byte[] backing = regionData.get(region);
        if (backing == null || offset + data.length > backing.length) {
            Arrays.fill(data, (byte) 0xff);
            return;
        }
        System.arraycopy(backing, (int) offset, data, 0, data.length);
    }

    @Override
    public synchronized void write(int region, long offset, byte[] data) {
        if (region == CONFIG_REGION) {
            StringBuilder s = new StringBuilder(String.format("0x%03x:", offset));
            for (int i = 0; i < data.length; i++) {
                int at = (int) offset + i;
                int mask = configWritable[at];
                config[at] = (byte) (config[at] & ~mask | data[i] & mask);
                s.append(String.format("%02x", data[i] & 0xff));
            }
            configWrites.add(s.toString());
            return;
        }
        regionAccesses.add("write " + region + "+0x" + Long.toHexString(offset) + "/" + data.length);
        byte[] backing = regionData.get(region);
        if (backing != null && offset + data.length <= backing.length) {
            System.arraycopy(data, 0, backing, (int) offset, data.length);
        }
    }

    @Override
    public synchronized void enableIrq(int index, int[] eventFds) {
        calls.add("enable " + index + " " + Arrays.toString(eventFds));
    }

    @Override
    public synchronized void disableIrq(int index) {
        calls.add("disable " + index);
    }

    @Override
    public synchronized void unmaskOnEventFd(int index, int eventFd) {
        calls.add("unmask-on " + index + " " + eventFd);
    }

    @Override
    public synchronized boolean reset() {
        calls.add("reset");
        return resettable;
    }

    @Override
    public synchronized void dmaMap(long iova, long size, long hostAddress) {
        calls.add(String.format("dma-map 0x%x+0x%x @0x%x", iova, size, hostAddress));
    }

    @Override
    public synchronized void dmaUnmap(long iova, long size) {
        calls.add(String.format("dma-unmap 0x%x+0x%x", iova, size));
    }

    @Override
    public synchronized void close() {
        calls.add("close");
        closed = true;
    }
}

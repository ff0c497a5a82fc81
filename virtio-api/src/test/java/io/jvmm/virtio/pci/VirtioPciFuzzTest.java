package io.jvmm.virtio.pci;

import static io.jvmm.testkit.ModernVirtioDriver.COMMON_CFG;
import static io.jvmm.testkit.ModernVirtioDriver.DEVICE_CFG;
import static io.jvmm.testkit.ModernVirtioDriver.ISR_CFG;
import static io.jvmm.testkit.ModernVirtioDriver.NOTIFY_CFG;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.testkit.ModernVirtioDriver;
import io.jvmm.testkit.TestBarAllocator;
import io.jvmm.testkit.TestDeviceContext;

/**
 * The virtio-pci transport (virtio 1.2, 4.1) under a hostile guest: any sequence of PCI config
 * space and BAR accesses (common config, notify, ISR, device config, MSI-X table and PBA, or any
 * BAR offset), of any width, to the two-queue {@link EchoDevice}. Every access must be answered
 * or ignored; a bad driver gets FAILED or DEVICE_NEEDS_RESET, never an exception, and no worker
 * thread may die of one.
 *
 * <p>Input: u8 flags (1: first bring the device up the way Linux does, MSI-X and two rings),
 * then steps of u8 kind and its operands (see {@link #step}).
 */
class VirtioPciFuzzTest {
    private static final int RAM = 256 << 10;
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @FuzzTest
    void accesses(FuzzedDataProvider data) {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(RAM);
        TestDeviceContext context = new TestDeviceContext("echo0", memory);
        VirtioPciDevice device = new VirtioPciDevice("echo0", new EchoDevice(), context);
        try {
            ModernVirtioDriver driver = new ModernVirtioDriver(device, context.recordingIoEvents(),
                    new TestBarAllocator(), memory);
            driver.probe();
            if ((in.u8() & 1) != 0) {
                bringUp(driver);
            }
            for (int i = 0; i < 256 && in.remaining() > 0; i++) {
                step(in, driver, memory);
            }
        } finally {
            device.close();
        }
        if (!context.uncaught().isEmpty()) {
            throw new AssertionError("a device worker died", context.uncaught().get(0));
        }
    }

    private static void bringUp(ModernVirtioDriver driver) {
        if (driver.negotiate(-1L) == -1) {
            return;
        }
        driver.enableMsix();
        driver.setConfigVector(0);
        for (int q = 0; q < 2; q++) {
            if (driver.setupQueue(q, 16, 0x1000 + 0x1000L * q, q + 1) == null) {
                return;
            }
        }
        driver.enableQueue(0);
        driver.enableQueue(1);
        driver.driverOk();
    }

    /**
     * 0: config read (u16 offset); 1: config write (u16 offset, u8 width, u32 value); 2, 3: BAR
     * read, BAR write (u8 region, u16 offset in it, u8 width, u64 value for a write): regions are
     * common config, notify, ISR, device config, MSI-X table, PBA, or else the BAR from 0; 4:
     * the driver writes u64 to guest RAM at u16 x 8; 5: kick queue u8 % 2.
     */
    private static void step(FuzzBytes in, ModernVirtioDriver driver, ByteArrayGuestMemory memory) {
        int kind = in.u8() % 6;
        switch (kind) {
            case 0 -> driver.config(in.u16() % 256 & ~3, 4);
            case 1 -> {
                int offset = in.u16() % 256;
                int width = WIDTHS[in.u8() % 3];
                driver.writeConfig(offset & ~(width - 1), width, in.u32());
            }
            case 2, 3 -> {
                long offset = region(driver, in.u8()) + in.u16();
                int width = WIDTHS[in.u8() % 4];
                long value = in.u64();
                offset = Math.min(offset, driver.barSize - width);
                if (kind == 3) {
                    driver.write(offset, width, value);
                } else {
                    driver.read(offset, width);
                }
            }
            case 4 -> memory.writeLong((in.u16() * 8L) % RAM, in.u64());
            default -> driver.kick(in.u8() % 2);
        }
    }

    private static long region(ModernVirtioDriver driver, int which) {
        return switch (which % 7) {
            case 0 -> offset(driver, COMMON_CFG);
            case 1 -> offset(driver, NOTIFY_CFG);
            case 2 -> offset(driver, ISR_CFG);
            case 3 -> offset(driver, DEVICE_CFG);
            case 4 -> driver.msixTable;
            case 5 -> driver.msixPba;
            default -> 0;
        };
    }

    private static long offset(ModernVirtioDriver driver, int cfgType) {
        ModernVirtioDriver.VirtioCap cap = driver.caps.get(cfgType);
        return cap == null ? 0 : cap.offset();
    }
}

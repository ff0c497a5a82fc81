package io.jvmm.vm;

import io.jvmm.acpi.AcpiTables;
import io.jvmm.acpi.MpTable;
import io.jvmm.boot.BootConfig;
import io.jvmm.boot.BootEntry;
import io.jvmm.boot.BootException;
import io.jvmm.boot.KernelLoader;
import io.jvmm.boot.LinuxBoot;
import io.jvmm.boot.RamLayout;
import io.jvmm.bus.Bus;
import io.jvmm.config.ConfigException;
import io.jvmm.config.DeviceSection;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.config.VmConfig;
import io.jvmm.devices.legacy.AcpiPmDevice;
import io.jvmm.devices.legacy.CmosRtc;
import io.jvmm.devices.legacy.I8042;
import io.jvmm.devices.legacy.ResetControl;
import io.jvmm.devices.legacy.Serial8250;
import io.jvmm.irq.GsiRouter;
import io.jvmm.irq.KvmInterrupts;
import io.jvmm.irq.KvmIoEvents;
import io.jvmm.irq.KvmIrqLine;
import io.jvmm.kvm.CpuidEntry;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import io.jvmm.memory.AnonymousMemory;
import io.jvmm.memory.HostMemory;
import io.jvmm.snapshot.MemoryImage;
import io.jvmm.snapshot.Snapshot;
import io.jvmm.snapshot.SnapshotConfig;
import io.jvmm.snapshot.SnapshotException;
import io.jvmm.snapshot.VcpuState;
import io.jvmm.spi.ComponentState;
import io.jvmm.spi.Snapshottable;
import java.nio.file.Path;
import java.util.HashMap;
import io.jvmm.memory.FdMemoryMapper;
import io.jvmm.memory.GuestRam;
import io.jvmm.memory.MemorySlots;
import io.jvmm.pci.PciBarSpaces;
import io.jvmm.pci.PciConfigIo;
import io.jvmm.pci.PciEcam;
import io.jvmm.pci.PciRoot;
import io.jvmm.plugin.PluginRegistry;
import io.jvmm.spi.BusRegion;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.PciDevice;
import io.jvmm.spi.PlatformDevice;
import io.jvmm.spi.RamRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Builds a {@link Vm} from a validated config in small steps, in the order KVM needs them:
 * the VM and its in-kernel irqchip and PIT, guest RAM, legacy devices, plugin devices,
 * firmware tables and kernel, then the vCPUs. A failing step releases what earlier steps
 * made.
 */
final class VmBuilder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VmBuilder.class);
    /** Three pages KVM needs for the real-mode TSS on Intel, in the MMIO hole below the IOAPIC. */
    private static final long TSS_ADDRESS = 0xfffb_d000L;
    private static final long IDENTITY_MAP_ADDRESS = 0xfffb_c000L;
    /** LAPIC LVT registers and delivery modes (Intel SDM vol. 3A, 10.5.1). */
    private static final int APIC_LVT_LINT0 = 0x350;
    private static final int APIC_LVT_LINT1 = 0x360;
    private static final int APIC_MODE_NMI = 0x4;
    private static final int APIC_MODE_EXTINT = 0x7;

    private final VmConfig config;
    private final KernelLoader kernelImage;
    private final PluginRegistry plugins;
    private final SerialConsole console;
    private final CompletableFuture<VmExit> stopped = new CompletableFuture<>();
    private final List<HostMemory> ram = new ArrayList<>();
    private final List<VcpuFd> vcpus = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final VmBuses buses = new VmBuses(new Bus("port I/O"), new Bus("MMIO"));
    private Kvm kvm;
    private VmFd vmFd;
    private RamLayout layout;
    private GuestRam guestRam;
    private MemorySlots slots;
    private GsiRouter router;
    private PciRoot pciRoot;
    private PlacedBars bars;
    private boolean built;
    private SnapshotConfig snapshotConfig;
    private DeviceEventSink deviceEvents = DeviceEventSink.NONE;
    private Snapshot restoreFrom;
    private Path restoreDir;

    VmBuilder(VmConfig config, KernelLoader kernelImage, PluginRegistry plugins, SerialConsole console) {
        this.config = config;
        this.kernelImage = kernelImage;
        this.plugins = plugins;
        this.console = console;
    }

    /** Where the devices' reported events go besides the log (the API's event stream). */
    VmBuilder deviceEvents(DeviceEventSink sink) {
        this.deviceEvents = sink;
        return this;
    }

    /** The config recorded in snapshots of this VM (the TOML text and where it came from). */
    VmBuilder snapshotConfig(SnapshotConfig recorded) {
        this.snapshotConfig = recorded;
        return this;
    }

    /** Builds the VM from {@code snapshot} (already checked) in {@code dir} instead of booting. */
    VmBuilder restoreFrom(Snapshot snapshot, Path dir) {
        this.restoreFrom = snapshot;
        this.restoreDir = dir;
        this.snapshotConfig = snapshot.config();
        return this;
    }

    Vm build(String kvmDevice) throws VmException, ConfigException {
        long start = System.nanoTime();
        kvm = Kvm.open(kvmDevice);
        createVm();
        StartupTimeline.mark("KVM VM with irqchip and PIT");
        attachMemory();
        StartupTimeline.mark("guest RAM mapped");
        attachLegacyDevices();
        long devicesAt = System.nanoTime();
        StartupTimeline.mark("legacy devices");
        attachPlugins();
        long pluginsAt = System.nanoTime();
        StartupTimeline.mark("plugin devices");
        long kernelAt;
        if (restoreFrom == null) {
            BootEntry entry = loadKernel();
            kernelAt = System.nanoTime();
            StartupTimeline.mark("kernel, initramfs, ACPI");
            createVcpus(entry);
            StartupTimeline.mark("vCPUs");
        } else {
            kernelAt = System.nanoTime();
            restoreState();
            StartupTimeline.mark("state restored");
        }
        long end = System.nanoTime();
        if (log.isDebugEnabled()) { // the JVM's start time is not free to look up (StartupTimeline)
            log.debug("built in {} ms: VM, RAM and legacy devices {} ms, plugins {} ms, firmware and kernel {} ms, "
                            + "vCPUs {} ms; {} ms since the JVM started", ms(end - start), ms(devicesAt - start),
                    ms(pluginsAt - devicesAt), ms(kernelAt - pluginsAt), ms(end - kernelAt),
                    StartupTimeline.millisSinceJvmStart());
        }
        built = true;
        return new Vm(config.vm().name(), kvm, vmFd, ram, guestRam.regions(), vcpus, devices, buses, stopped,
                snapshotConfig != null ? snapshotConfig : new SnapshotConfig(String.valueOf(config.source()), "",
                        config.vm().memoryBytes(), config.vm().vcpus()));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private void createVm() {
        vmFd = kvm.createVm();
        vmFd.setTssAddress(TSS_ADDRESS);
        vmFd.setIdentityMapAddress(IDENTITY_MAP_ADDRESS);
        vmFd.createIrqChip();
        // With the dummy speaker KVM also emulates port 0x61, which Linux's PIT calibration reads.
        vmFd.createPit2(VmFd.KVM_PIT_SPEAKER_DUMMY);
        router = new GsiRouter(vmFd);
    }

    private void attachMemory() {
        layout = RamLayout.forSize(config.vm().memoryBytes());
        slots = new MemorySlots(vmFd);
        List<RamRegion> regions = new ArrayList<>();
        regions.add(mapRam(0, layout.lowRamEnd()));
        if (layout.hasHighRam()) {
            regions.add(mapRam(X86Layout.FOUR_GIB, layout.highRamSize()));
        }
        guestRam = new GuestRam(regions);
        log.debug("guest RAM: {}", regions);
    }

    private RamRegion mapRam(long guestAddress, long size) {
        HostMemory mem = new AnonymousMemory(size);
        ram.add(mem);
        slots.add(guestAddress, size, mem.hostAddress(), false);
        return new RamRegion(guestAddress, size, mem.hostAddress());
    }

    private void attachLegacyDevices() {
        Serial8250 serial = Serial8250.com1(new KvmIrqLine(vmFd, X86Layout.COM1_IRQ), console.output());
        console.attachInput(serial::enqueueInput);
        console.onQuit(() -> stopped.complete(VmExit.STOPPED_BY_USER));
        Runnable reset = () -> stopped.complete(VmExit.RESET);
        bars = new PlacedBars(buses, PciBarSpaces.x86(layout.ramEnd()));
        pciRoot = new PciRoot(bars::relocate);
        attachPlatform(serial);
        attachPlatform(new I8042(new KvmIrqLine(vmFd, 1), reset));
        attachPlatform(new CmosRtc(layout.lowRamEnd(), layout.highRamSize()));
        attachPlatform(new AcpiPmDevice(() -> stopped.complete(VmExit.POWER_OFF),
                new KvmIrqLine(vmFd, X86Layout.ACPI_SCI_IRQ)));
        attachPlatform(new ResetControl(reset));
        attachPlatform(new PciConfigIo(pciRoot));
        attachPlatform(new PciEcam(pciRoot));
    }

    private void attachPlatform(PlatformDevice device) {
        List<BusRegion> regions = device.regions();
        long first = regions.get(0).base();
        for (BusRegion r : regions) {
            Bus bus = r.space() == BusRegion.AddressSpace.PIO ? buses.pio() : buses.mmio();
            bus.insert(r.base(), r.length(), r.base() == first ? device : new PlatformDeviceAccess(device, r.base() - first));
        }
        devices.add(device);
    }

    private void attachPlugins() throws ConfigException, VmException {
        KvmIoEvents ioEvents = new KvmIoEvents(vmFd);
        KvmVfioGroups vfioGroups = new KvmVfioGroups(kvm, vmFd);
        FdMemoryMapper mapper = new FdMemoryMapper(slots);
        ThreadStarter workerStarter = new ThreadStarter(); // made here, on a thread without a seccomp filter
        for (DeviceSection section : config.devices()) {
            DeviceFactory factory = plugins.factoryFor(section);
            TomlDeviceConfig deviceConfig = section.config();
            PciIntxLine intx = new PciIntxLine(vmFd);
            VmDeviceContext context = new VmDeviceContext(section.id(), guestRam, guestRam.regions(),
                    new KvmInterrupts(vmFd, router, intx, intx::irqFd), ioEvents, mapper, vfioGroups,
                    restoreFrom != null, reason -> stopped.completeExceptionally(new VmException(reason)), workerStarter,
                    deviceEvents);
            Device device;
            try {
                device = factory.create(deviceConfig, context);
            } catch (DeviceConfigException e) {
                throw new ConfigException(deviceConfig.error(e));
            } catch (DeviceException e) {
                String what = section.key() + " (" + section.type() + "): " + e.getMessage();
                if (restoreFrom != null) {
                    // The snapshot names host resources (an image, a tap) that are not usable now.
                    throw new SnapshotMismatchException("snapshot " + restoreDir + ": " + what + "; nothing was started", e);
                }
                throw new VmException(what, e);
            }
            devices.add(device);
            deviceConfig.requireAllKeysUsed();
            if (device instanceof PciDevice pci) {
                int slot = pciRoot.addDevice(pci);
                intx.connect(slot);
                bars.attach(pci);
                log.info("{} ({}) at PCI 00:{}.0", device.id(), section.type(), String.format("%02x", slot));
            } else if (device instanceof PlatformDevice platform) {
                devices.remove(device);
                attachPlatform(platform);
                log.info("{} ({}) at {}", device.id(), section.type(), platform.regions());
            } else {
                throw new VmException(section.key() + " (" + section.type() + "): the plugin made a device that is "
                        + "neither a PciDevice nor a PlatformDevice");
            }
        }
    }

    private BootEntry loadKernel() throws VmException {
        long mmio64Start = X86Layout.pciMmio64Start(layout.ramEnd());
        long rsdp = AcpiTables.write(guestRam, config.vm().vcpus(), mmio64Start, X86Layout.PCI_MMIO64_SIZE);
        // Linux ignores the MP table when ACPI is there; with acpi=off it is how the guest finds its CPUs.
        MpTable.write(guestRam, config.vm().vcpus());
        try {
            BootEntry entry = LinuxBoot.setUp(guestRam, layout, kernelImage, new BootConfig(config.boot().kernel(),
                    config.boot().initramfs(), config.boot().cmdline()), rsdp);
            if (entry.mode() == BootEntry.Mode.LINUX_64) {
                BootCpuState.writeLongModeTables(guestRam);
            } else {
                BootCpuState.writeProtectedModeTables(guestRam);
            }
            return entry;
        } catch (BootException e) {
            throw new VmException(e.getMessage(), e);
        }
    }

    /**
     * Puts the saved state back: guest memory, the in-kernel PIT and irqchips, then each vCPU
     * (CPUID as at boot, then its saved registers), then every device by id, and last the
     * guest clock.
     */
    private void restoreState() throws VmException {
        try {
            MemoryImage.load(restoreDir, restoreFrom.memory(), guestRam.regions());
        } catch (SnapshotException e) {
            throw new SnapshotMismatchException(e.getMessage(), e);
        }
        StartupTimeline.mark("guest memory loaded");
        var vmState = restoreFrom.vm();
        vmFd.setPit2(vmState.pit());
        vmFd.setIrqChip(vmState.picMaster());
        vmFd.setIrqChip(vmState.picSlave());
        vmFd.setIrqChip(vmState.ioapic());
        List<CpuidEntry> supported = kvm.supportedCpuid();
        boolean tscDeadline = kvm.hasTscDeadlineTimer();
        int count = config.vm().vcpus();
        for (int i = 0; i < count; i++) {
            VcpuFd vcpu = vmFd.createVcpu(i);
            vcpus.add(vcpu);
            vcpu.setCpuid(CpuidBuilder.forVcpu(supported, i, count, tscDeadline));
            VcpuState saved = restoreFrom.vcpus().get(i);
            int khz = vcpu.tscKhz();
            if (saved.tscKhz() != 0 && Math.abs(khz - saved.tscKhz()) > saved.tscKhz() / 1000) {
                log.warn("vCPU {}: TSC runs at {} kHz here, {} kHz when saved; guest timekeeping may drift", i, khz,
                        saved.tscKhz());
            }
            VcpuStates.restore(vcpu, saved);
        }
        Map<String, ComponentState> states = new HashMap<>();
        restoreFrom.devices().forEach(d -> states.put(d.id(), d));
        for (Device d : devices) {
            if (!(d instanceof Snapshottable s)) {
                throw new VmException("device '" + d.id() + "' cannot be restored from a snapshot");
            }
            ComponentState st = states.remove(s.snapshotId());
            if (st == null) {
                throw new SnapshotMismatchException("the snapshot has no state for device '" + s.snapshotId()
                        + "' (the config no longer matches the snapshot)");
            }
            try {
                s.restoreState(st);
            } catch (Snapshottable.StateException e) {
                throw new SnapshotMismatchException("device '" + s.snapshotId() + "': " + e.getMessage()
                        + "; nothing was started", e);
            }
        }
        if (!states.isEmpty()) {
            throw new SnapshotMismatchException("the snapshot has state for device(s) " + states.keySet()
                    + " that the config does not have");
        }
        for (Device d : devices) {
            if (d instanceof PciDevice pci) {
                try {
                    bars.restore(pci);
                } catch (VmException e) {
                    throw new SnapshotMismatchException(e.getMessage() + "; nothing was started", e);
                }
            }
        }
        vmFd.setClock(vmState.clockNanos());
    }

    private void createVcpus(BootEntry entry) {
        List<CpuidEntry> supported = kvm.supportedCpuid();
        boolean tscDeadline = kvm.hasTscDeadlineTimer();
        int count = config.vm().vcpus();
        for (int i = 0; i < count; i++) {
            VcpuFd vcpu = vmFd.createVcpu(i);
            vcpus.add(vcpu);
            vcpu.setCpuid(CpuidBuilder.forVcpu(supported, i, count, tscDeadline));
            vcpu.setMsrs(BootCpuState.bootMsrs());
            vcpu.setFpuDefaults();
            // Virtual-wire mode until the guest sets up its IOAPIC: PIC interrupts arrive through
            // LINT0 as ExtINT, NMIs through LINT1 (MP spec 1.4, 3.6.2.2).
            LapicState lapic = vcpu.getLapic();
            lapic = lapic.withRegister(APIC_LVT_LINT0, (lapic.register(APIC_LVT_LINT0) & ~0x700) | APIC_MODE_EXTINT << 8);
            lapic = lapic.withRegister(APIC_LVT_LINT1, (lapic.register(APIC_LVT_LINT1) & ~0x700) | APIC_MODE_NMI << 8);
            vcpu.setLapic(lapic);
            if (i == 0) {
                // Application processors wait in the in-kernel LAPIC for INIT/SIPI from the guest.
                if (entry.mode() == BootEntry.Mode.LINUX_64) {
                    vcpu.setSregs(BootCpuState.longMode(vcpu.getSregs()));
                    vcpu.setRegs(Regs.atEntry(entry.entryPoint(), X86Layout.BOOT_STACK, entry.bootInfoAddress(), 0));
                } else {
                    vcpu.setSregs(BootCpuState.protectedMode(vcpu.getSregs()));
                    vcpu.setRegs(Regs.atEntry(entry.entryPoint(), 0, 0, entry.bootInfoAddress()));
                }
            }
        }
    }

    /** Releases everything when {@link #build} failed part way. */
    @Override
    public void close() {
        if (built) {
            return;
        }
        for (Device d : devices) {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.warn("device {} did not close cleanly: {}", d.id(), e.toString());
            }
        }
        vcpus.forEach(VcpuFd::close);
        if (vmFd != null) {
            vmFd.close();
        }
        ram.forEach(HostMemory::close);
        if (kvm != null) {
            kvm.close();
        }
    }
}

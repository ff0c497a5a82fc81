package io.jvmm.kvm;

import com.sun.jna.NativeLong;

/**
 * ioctl request numbers from linux/kvm.h, computed the way the _IO/_IOR/_IOW/_IOWR
 * macros do (asm-generic/ioctl.h): dir << 30 | size << 16 | type << 8 | nr.
 */
final class KvmIoctls {
    private KvmIoctls() {
    }

    private static final int KVMIO = 0xAE;
    private static final int NONE = 0;
    private static final int WRITE = 1;
    private static final int READ = 2;

    private static NativeLong ioc(int dir, int nr, int size) {
        return new NativeLong(((long) dir << 30) | ((long) size << 16) | (KVMIO << 8) | nr);
    }

    // System ioctls
    static final NativeLong KVM_GET_API_VERSION = ioc(NONE, 0x00, 0);
    static final NativeLong KVM_CREATE_VM = ioc(NONE, 0x01, 0);
    static final NativeLong KVM_CHECK_EXTENSION = ioc(NONE, 0x03, 0);
    static final NativeLong KVM_GET_VCPU_MMAP_SIZE = ioc(NONE, 0x04, 0);
    static final NativeLong KVM_GET_SUPPORTED_CPUID = ioc(READ | WRITE, 0x05, 8);
    static final NativeLong KVM_GET_MSR_INDEX_LIST = ioc(READ | WRITE, 0x02, 4);

    // VM ioctls
    static final NativeLong KVM_CREATE_VCPU = ioc(NONE, 0x41, 0);
    static final NativeLong KVM_SET_USER_MEMORY_REGION = ioc(WRITE, 0x46, 32);
    static final NativeLong KVM_SET_TSS_ADDR = ioc(NONE, 0x47, 0);
    static final NativeLong KVM_SET_IDENTITY_MAP_ADDR = ioc(WRITE, 0x48, 8);
    static final NativeLong KVM_CREATE_IRQCHIP = ioc(NONE, 0x60, 0);
    static final NativeLong KVM_IRQ_LINE = ioc(WRITE, 0x61, 8);
    static final NativeLong KVM_SET_GSI_ROUTING = ioc(WRITE, 0x6a, 8);
    static final NativeLong KVM_IRQFD = ioc(WRITE, 0x76, 32);
    static final NativeLong KVM_CREATE_PIT2 = ioc(WRITE, 0x77, 64);
    static final NativeLong KVM_IOEVENTFD = ioc(WRITE, 0x79, 64);
    static final NativeLong KVM_SET_CLOCK = ioc(WRITE, 0x7b, 48);
    static final NativeLong KVM_GET_CLOCK = ioc(READ, 0x7c, 48);
    static final NativeLong KVM_GET_IRQCHIP = ioc(READ | WRITE, 0x62, KvmStruct.Kind.IRQCHIP.size());
    /** _IOR, not _IOW: a historical mistake kept for ABI compatibility (linux/kvm.h). */
    static final NativeLong KVM_SET_IRQCHIP = ioc(READ, 0x63, KvmStruct.Kind.IRQCHIP.size());
    static final NativeLong KVM_GET_PIT2 = ioc(READ, 0x9f, KvmStruct.Kind.PIT2.size());
    static final NativeLong KVM_SET_PIT2 = ioc(WRITE, 0xa0, KvmStruct.Kind.PIT2.size());
    static final NativeLong KVM_SIGNAL_MSI = ioc(WRITE, 0xa5, 32);
    static final NativeLong KVM_CREATE_DEVICE = ioc(READ | WRITE, 0xe0, 12);
    static final NativeLong KVM_SET_DEVICE_ATTR = ioc(WRITE, 0xe1, 24);

    // vCPU ioctls
    static final NativeLong KVM_RUN = ioc(NONE, 0x80, 0);
    static final NativeLong KVM_GET_REGS = ioc(READ, 0x81, Regs.SIZE);
    static final NativeLong KVM_SET_REGS = ioc(WRITE, 0x82, Regs.SIZE);
    static final NativeLong KVM_GET_SREGS = ioc(READ, 0x83, Sregs.SIZE);
    static final NativeLong KVM_SET_SREGS = ioc(WRITE, 0x84, Sregs.SIZE);
    static final NativeLong KVM_GET_MSRS = ioc(READ | WRITE, 0x88, 8);
    static final NativeLong KVM_SET_MSRS = ioc(WRITE, 0x89, 8);
    static final NativeLong KVM_SET_SIGNAL_MASK = ioc(WRITE, 0x8b, 4);
    static final NativeLong KVM_GET_FPU = ioc(READ, 0x8c, 416);
    static final NativeLong KVM_SET_FPU = ioc(WRITE, 0x8d, 416);
    static final NativeLong KVM_GET_LAPIC = ioc(READ, 0x8e, LapicState.SIZE);
    static final NativeLong KVM_SET_LAPIC = ioc(WRITE, 0x8f, LapicState.SIZE);
    static final NativeLong KVM_SET_CPUID2 = ioc(WRITE, 0x90, 8);
    static final NativeLong KVM_GET_VCPU_EVENTS = ioc(READ, 0x9f, KvmStruct.Kind.VCPU_EVENTS.size());
    static final NativeLong KVM_SET_VCPU_EVENTS = ioc(WRITE, 0xa0, KvmStruct.Kind.VCPU_EVENTS.size());
    static final NativeLong KVM_GET_DEBUGREGS = ioc(READ, 0xa1, KvmStruct.Kind.DEBUGREGS.size());
    static final NativeLong KVM_SET_DEBUGREGS = ioc(WRITE, 0xa2, KvmStruct.Kind.DEBUGREGS.size());
    static final NativeLong KVM_GET_TSC_KHZ = ioc(NONE, 0xa3, 0);
    static final NativeLong KVM_GET_XSAVE = ioc(READ, 0xa4, KvmStruct.Kind.XSAVE.size());
    static final NativeLong KVM_SET_XSAVE = ioc(WRITE, 0xa5, KvmStruct.Kind.XSAVE.size());
    static final NativeLong KVM_GET_XCRS = ioc(READ, 0xa6, KvmStruct.Kind.XCRS.size());
    static final NativeLong KVM_SET_XCRS = ioc(WRITE, 0xa7, KvmStruct.Kind.XCRS.size());
    static final NativeLong KVM_GET_MP_STATE = ioc(READ, 0x98, 4);
    static final NativeLong KVM_SET_MP_STATE = ioc(WRITE, 0x99, 4);

    // Capabilities (KVM_CHECK_EXTENSION arguments)
    static final int KVM_CAP_IRQCHIP = 0;
    static final int KVM_CAP_USER_MEMORY = 3;
    static final int KVM_CAP_SET_TSS_ADDR = 4;
    static final int KVM_CAP_EXT_CPUID = 7;
    static final int KVM_CAP_NR_VCPUS = 9;
    static final int KVM_CAP_NR_MEMSLOTS = 10;
    static final int KVM_CAP_PIT2 = 33;
    static final int KVM_CAP_IRQFD = 32;
    static final int KVM_CAP_IOEVENTFD = 36;
    static final int KVM_CAP_MAX_VCPUS = 66;
    static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    static final int KVM_CAP_DEVICE_CTRL = 89;
    static final int KVM_CAP_TSC_DEADLINE_TIMER = 72;
    static final int KVM_CAP_VCPU_EVENTS = 41;
    static final int KVM_CAP_DEBUGREGS = 50;
    static final int KVM_CAP_XSAVE = 55;
    static final int KVM_CAP_XCRS = 56;
    static final int KVM_CAP_ADJUST_CLOCK = 39;
    static final int KVM_CAP_GET_TSC_KHZ = 61;
}

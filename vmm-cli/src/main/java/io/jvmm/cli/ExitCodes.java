package io.jvmm.cli;

import io.jvmm.config.ConfigException;
import io.jvmm.plugin.PluginException;
import io.jvmm.vm.HostUnsupportedException;
import io.jvmm.vm.VmException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The process exit codes of {@code jvmm}, documented in every {@code --help}. */
public final class ExitCodes {
    /** Success; for {@code run} and {@code restore}: the guest powered off or reset (rebooted). */
    public static final int OK = 0;
    /** The VM failed while being built or while running. */
    public static final int VM_ERROR = 1;
    /** Bad command line, invalid config, or unusable plugins. */
    public static final int USAGE = 2;
    /** This host cannot run VMs: no /dev/kvm, no permission to open it, or a PVM host. */
    public static final int HOST_UNSUPPORTED = 3;
    /** restore: the snapshot is unreadable, corrupted, truncated, incomplete, or no longer matches its config or host files. */
    public static final int BAD_SNAPSHOT = 4;
    /**
     * run/restore: a vCPU triple-faulted (KVM_EXIT_SHUTDOWN). Real hardware would reset, but a
     * guest that triple-faults has crashed, so a script must not read it as a clean end.
     */
    public static final int GUEST_TRIPLE_FAULT = 5;

    private ExitCodes() {
    }

    /** The help text: code -> meaning, in order. */
    public static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" " + OK, "OK; for run and restore: the guest powered off or reset (rebooted).");
        m.put(" " + VM_ERROR, "The VM failed while starting or running.");
        m.put(" " + USAGE, "Bad command line, invalid config file, or unusable plugins.");
        m.put(" " + HOST_UNSUPPORTED, "This host cannot run VMs (no /dev/kvm, no permission, PVM host).");
        m.put(" " + BAD_SNAPSHOT, "restore: the snapshot is corrupted, truncated, incomplete, of an unknown version, "
                + "or no longer matches its config (missing kernel/disk, other memory size, a host file that is not "
                + "the one the snapshot recorded); nothing ran.");
        m.put(" " + GUEST_TRIPLE_FAULT, "run, restore: the guest triple-faulted (crashed); its vCPU registers are "
                + "printed.");
        return m;
    }

    /** The code for how a VM run by {@code run} or {@code restore} ended. */
    public static int forVmExit(io.jvmm.vm.VmExit exit) {
        return exit == io.jvmm.vm.VmExit.TRIPLE_FAULT ? GUEST_TRIPLE_FAULT : OK;
    }

    /**
     * {@link #forException} as picocli's exit code mapper. A named class, not a method reference:
     * picocli's interfaces are Java 5 class files, and the class-data archive skips one that a
     * lambda forces it to link at dump time ("Old class has been linked"), so every start opened
     * picocli's jar to load this one interface (see vmm-cli/target/cds-dump.log).
     */
    static final class Mapper implements CommandLine.IExitCodeExceptionMapper {
        @Override
        public int getExitCode(Throwable exception) {
            return forException(exception);
        }
    }

    /** The code for an exception thrown by a command. */
    public static int forException(Throwable e) {
        if (e instanceof ConfigException || e instanceof PluginException || e instanceof CommandLine.ParameterException
                || e instanceof UsageException) {
            return USAGE;
        }
        if (e instanceof io.jvmm.snapshot.SnapshotException || e instanceof io.jvmm.vm.SnapshotMismatchException) {
            return BAD_SNAPSHOT;
        }
        if (e instanceof HostUnsupportedException) {
            return HOST_UNSUPPORTED;
        }
        return VM_ERROR;
    }
}

package io.jvmm.cli;

import io.jvmm.seccomp.SeccompMode;
import io.jvmm.seccomp.SeccompPolicy;
import picocli.CommandLine.Option;

/** {@code --seccomp=off|log|on}, for the commands that run a VM. */
public final class SeccompOption {
    private SeccompMode mode;

    @Option(names = "--seccomp", paramLabel = "MODE",
            description = "System call filters for vCPU and device worker threads: on (default where the kernel "
                    + "supports seccomp: anything outside a thread's list fails with EPERM), log (allowed, and the "
                    + "kernel logs it: audit type=1326 in dmesg) or off. See README, Security.")
    void setMode(String text) {
        try {
            mode = SeccompMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--seccomp=" + text + ": " + e.getMessage());
        }
    }

    /** Applies the choice before the VM's threads start. */
    public void apply() {
        try {
            SeccompPolicy.configure(mode);
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

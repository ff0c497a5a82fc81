package io.jvmm.cli;

import io.jvmm.config.SerialSection;
import io.jvmm.config.VmConfig;
import io.jvmm.snapshot.MemoryIndex;
import io.jvmm.snapshot.SnapshotFile;
import io.jvmm.vm.HostResource;
import io.jvmm.vm.VmLauncher;
import java.io.PrintWriter;
import java.util.Set;

/**
 * What {@code jvmm restore --dry-run} prints: the checked snapshot and everything restore would
 * open on the host, each file with how it compares with the snapshot's record.
 *
 * @param snap      the checked snapshot
 * @param vm        its config with the command line's overrides (serial)
 * @param notOpened keys the command line overrides, so restore does not open them
 */
record RestorePlan(VmLauncher.Restorable snap, VmConfig vm, Set<String> notOpened) {
    void print(PrintWriter out) {
        MemoryIndex mem = snap.snapshot().memory();
        out.println("snapshot:   " + snap.dir().toAbsolutePath().normalize() + " (complete, format "
                + SnapshotFile.FORMAT_VERSION + ", checksums of state and memory good)");
        out.println("config:     " + snap.snapshot().config().sourcePath() + " (the copy stored in the snapshot)");
        out.println("memory:     " + mib(mem.fileSize()) + ", " + mib(mem.dataBytes()) + " of it data in "
                + mem.fileName() + " (read into fresh RAM, checked again); " + vcpus(snap.config().vm().vcpus()));
        out.println("serial:     " + serial(vm.serial()));
        if (snap.snapshot().hostFiles().entries().isEmpty()) {
            out.println("host files: none recorded (a snapshot from an older jvmm): not compared");
        }
        for (HostResource r : snap.resources()) {
            StringBuilder line = new StringBuilder(r.key()).append(" (").append(r.owner()).append("): ")
                    .append(r.kind().label()).append(' ').append(r.value());
            switch (r.kind()) {
                case DISK -> line.append(r.readOnly() ? ", read-only" : ", read-write");
                case KERNEL, INITRAMFS -> line.append(" (not read: guest memory holds it)");
                case SERIAL_FILE -> line.append(notOpened.contains(r.key()) ? " (not opened: --serial/--serial-file)"
                        : " (truncated)");
                case CONSOLE_FILE, OUTPUT_FILE -> line.append(" (appended to)");
                case PLUGIN_VALUE -> line.append(" (a third-party plugin's key: not checked)");
                default -> { }
            }
            snap.hostFiles().stream().filter(f -> f.resource().equals(r)).findFirst().ifPresent(f -> {
                line.append(" [").append(f.status()).append(']');
                f.detail().ifPresent(d -> line.append(": ").append(d));
            });
            out.println(line);
        }
        out.flush();
    }

    private static String serial(SerialSection s) {
        return switch (s.mode()) {
            case FILE -> "file " + s.path().orElseThrow().toAbsolutePath() + " (truncated)";
            case STDIO -> "stdio (this terminal)";
            case OFF -> "off";
        };
    }

    private static String vcpus(int n) {
        return n + (n == 1 ? " vCPU" : " vCPUs");
    }

    private static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}

package io.jvmm.vm;

import io.jvmm.config.ConfigException;
import io.jvmm.config.ConfigLoader;
import io.jvmm.snapshot.HostFiles;
import io.jvmm.snapshot.SnapshotConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares the host files a snapshot recorded with what its config's keys resolve to now.
 * A disk or entropy source restore would read must be the same file (same resolved path,
 * same real path, same device and inode); a file jvmm writes must be the same path; the kernel
 * and initramfs, which restore does not read, are only reported. A file that is gone is left to
 * the check that needs it (restore reports a missing kernel or disk on its own).
 */
public final class HostFileCheck {
    private HostFileCheck() {
    }

    /**
     * What the check says about one resource.
     *
     * @param resource the resource as the config names it now
     * @param status   a short word for the listing: {@code same}, {@code changed}, {@code missing}, ...
     * @param detail   for a change: {@code recorded X, now Y: why}; empty otherwise
     * @param refuses  whether restore refuses this change unless told to go on
     */
    public record Finding(HostResource resource, String status, Optional<String> detail, boolean refuses) {
        /** The change in one line: {@code key (owner): recorded X, now Y: why}. */
        public Optional<String> problem() {
            return detail.map(d -> resource.key() + " (" + resource.owner() + "): " + d);
        }
    }

    /** One finding per resource that is a path; names (taps, PCI addresses) get none. */
    public static List<Finding> check(HostFiles recorded, List<HostResource> now) {
        List<Finding> out = new ArrayList<>();
        for (HostResource r : now) {
            if (r.isPath()) {
                out.add(check(recorded, r));
            }
        }
        return out;
    }

    private static Finding check(HostFiles recorded, HostResource r) {
        Optional<HostFiles.Identity> current = HostFiles.identify(r.path());
        Optional<HostFiles.Entry> entry = recorded.find(r.key());
        if (entry.isEmpty()) {
            return ok(r, current.isPresent() ? "not recorded" : "missing, not recorded");
        }
        HostFiles.Entry e = entry.get();
        boolean enforced = r.kind().use() != HostResource.Use.NOT_OPENED;
        if (!e.path().equals(r.value())) {
            return changed(r, "recorded " + e.path() + ", now " + r.value()
                    + ": the path resolves elsewhere (a relative path read from another directory?)", enforced);
        }
        if (r.kind().use() == HostResource.Use.OUTPUT) {
            return ok(r, "same path");
        }
        if (current.isEmpty()) {
            return ok(r, "missing");
        }
        HostFiles.Identity now = current.get();
        if (e.identity().isEmpty()) {
            return changed(r, "recorded " + e.path() + " (no such file), now " + now.describe() + " at "
                    + now.realPath() + ": a file appeared since the snapshot", enforced);
        }
        HostFiles.Identity then = e.identity().get();
        if (!then.realPath().equals(now.realPath())) {
            return changed(r, "recorded " + e.path() + " -> " + then.realPath() + ", now -> " + now.realPath()
                    + ": the path leads to another file", enforced);
        }
        if (!then.sameFile(now)) {
            return changed(r, "recorded " + then.realPath() + " (" + then.describe() + "), now "
                    + now.realPath() + " (" + now.describe() + "): the file was replaced", enforced);
        }
        if (!now.deviceNode() && (then.size() != now.size() || then.mtimeMillis() != now.mtimeMillis())) {
            return ok(r, "same file, modified since the snapshot");
        }
        return ok(r, "same file");
    }

    private static Finding ok(HostResource r, String status) {
        return new Finding(r, status, Optional.empty(), false);
    }

    private static Finding changed(HostResource r, String problem, boolean refuses) {
        return new Finding(r, refuses ? "CHANGED" : "changed (not read by restore)", Optional.of(problem), refuses);
    }

    /** The findings restore refuses. */
    public static List<Finding> refused(List<Finding> findings) {
        return findings.stream().filter(Finding::refuses).toList();
    }

    /** What a snapshot of a VM with config {@code saved} records: the host files it names, as they are now. */
    public static HostFiles record(SnapshotConfig saved) throws ConfigException {
        return record(HostResource.of(ConfigLoader.load(Path.of(saved.sourcePath()), saved.toml())));
    }

    /** The host files {@code resources} name, with their identities now. */
    public static HostFiles record(List<HostResource> resources) {
        List<HostFiles.Entry> entries = new ArrayList<>();
        for (HostResource r : resources) {
            if (r.isPath()) {
                entries.add(new HostFiles.Entry(r.key(), r.value(), HostFiles.identify(r.path())));
            }
        }
        return new HostFiles(entries);
    }
}

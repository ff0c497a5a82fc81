package io.jvmm.api;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where VMs' API sockets live: {@code $XDG_RUNTIME_DIR/jvmm/NAME.sock}; without
 * {@code XDG_RUNTIME_DIR} (root, a cron job, a container) {@code /run/jvmm} for root and
 * {@code /tmp/jvmm-UID} for anyone else. The directory is 0700 and the user's own, so nobody
 * else can reach a socket in it nor plant one.
 */
public final class ApiSockets {
    /** A VM name as a file name: no slashes, no leading dot, printable. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}");

    private ApiSockets() {
    }

    /** The directory of this user's API sockets. */
    public static Path directory() {
        return directory(System.getenv(), uid());
    }

    static Path directory(Map<String, String> env, long uid) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "jvmm");
        }
        return uid == 0 ? Path.of("/run/jvmm") : Path.of("/tmp/jvmm-" + uid);
    }

    /** The names of the sockets in this user's directory (VMs running, or dead ones whose socket is left). */
    public static java.util.List<String> names() {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(directory(), "*.sock")) {
            for (Path p : s) {
                String f = p.getFileName().toString();
                names.add(f.substring(0, f.length() - ".sock".length()));
            }
        } catch (IOException e) {
            // no directory: no VMs
        }
        java.util.Collections.sort(names);
        return names;
    }

    /** The default socket of the VM called {@code name}. */
    public static Path defaultPath(String name) {
        return directory().resolve(checkName(name) + ".sock");
    }

    /** {@code name} if it can be a socket's file name; else an error saying what a name may hold. */
    public static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("VM name '" + name + "' cannot name an API socket: use letters, digits, "
                    + "'_', '.', '+' and '-' (at most 64, not starting with '.' or '-'), or give --api-socket PATH");
        }
        return name;
    }

    static long uid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /**
     * Makes {@code socket} ready to be bound: its directory exists (created 0700), and nothing is
     * at its path. A socket another process still answers on is refused (a VM of that name runs);
     * one nobody answers on is a dead VM's and is removed; any other file is refused.
     *
     * @throws ApiSocketException saying which and what to do
     */
    public static void prepare(Path socket) throws ApiSocketException {
        createDirectory(socket.toAbsolutePath().getParent());
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new ApiSocketException(socket + " exists and is not a socket; remove it or give another --api-socket");
        }
        if (answers(socket)) {
            throw new ApiSocketException("a VM is already running with the API socket " + socket
                    + " (another name in [vm] name, or --api-socket, lets both run)");
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new ApiSocketException("cannot remove the stale API socket " + socket + ": " + e.getMessage());
        }
    }

    /** Creates {@code dir} 0700 if it is missing (its parents as the umask says); one that exists is left as it is. */
    public static void createDirectory(Path dir) throws ApiSocketException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made by another VM at the same moment
        } catch (IOException e) {
            throw new ApiSocketException("cannot create the API socket's directory " + dir + ": " + e.getMessage());
        }
    }

    static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether some process accepts connections on {@code socket}. */
    public static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package io.jvmm.kvm;

/**
 * What JNA would otherwise work out at its first use by starting a process. Its
 * {@code NativeLibrary} runs {@code /sbin/ldconfig -p} in a child process to learn where
 * libraries live, unless the system property {@value #PLATFORM_LIBRARY_PATH} says it: a fork
 * and exec at every jvmm start (a few ms on the host, a few hundred in the nested test host).
 * jvmm binds only {@code libc.so.6}, which the dynamic loader finds by itself; a plugin's
 * library named without a path is looked for in the system's library directories.
 */
public final class JnaStartup {
    static final String PLATFORM_LIBRARY_PATH = "jna.platform.library.path";

    private JnaStartup() {
    }

    /** Sets {@value #PLATFORM_LIBRARY_PATH}, unless the user set it; call before JNA's first use. */
    public static void skipLdconfig() {
        if (System.getProperty(PLATFORM_LIBRARY_PATH) == null) {
            System.setProperty(PLATFORM_LIBRARY_PATH, systemLibraryDirs(System.getProperty("os.arch")));
        }
    }

    /** The multiarch directories of Debian-like systems (Java's "amd64" is their "x86_64"), then the classic ones. */
    static String systemLibraryDirs(String osArch) {
        String triplet = ("amd64".equals(osArch) ? "x86_64" : osArch) + "-linux-gnu";
        return "/usr/lib/" + triplet + ":/lib/" + triplet + ":/usr/lib64:/lib64:/usr/lib:/lib";
    }
}

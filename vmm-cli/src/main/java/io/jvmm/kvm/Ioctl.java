package io.jvmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** Issues an ioctl and turns a failure into a {@link KvmException} naming the call and errno. */
final class Ioctl {
    private Ioctl() {
    }

    static int call(int fd, String name, NativeLong request, long arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(name, e.getErrorCode());
        }
    }

    static int call(int fd, String name, NativeLong request, Pointer arg) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(name, e.getErrorCode());
        }
    }
}

package io.jvmm.vfio.kernel;

import com.sun.jna.LastErrorException;

/** A failed VFIO system call, naming the call and the errno. */
public class VfioException extends RuntimeException {
    private final int errno;

    public VfioException(String call, int errno) {
        super(call + " failed: " + LibC.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    static VfioException of(String call, LastErrorException e) {
        return new VfioException(call, e.getErrorCode());
    }

    public int errno() {
        return errno;
    }
}

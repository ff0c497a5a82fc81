package io.jvmm.kvm;

import com.sun.jna.LastErrorException;

/** A failed KVM (or related) system call, naming the call and the errno. */
public class KvmException extends RuntimeException {
    private final int errno;

    public KvmException(String call, int errno) {
        super(call + " failed: " + LibC.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public KvmException(String message) {
        super(message);
        this.errno = 0;
    }

    static KvmException of(String call, LastErrorException e) {
        return new KvmException(call, e.getErrorCode());
    }

    public int errno() {
        return errno;
    }
}

package io.jvmm.memory;

/** Host memory that backs a guest RAM region: anonymous, or a private mapping of a snapshot file. */
public interface HostMemory extends AutoCloseable {
    long hostAddress();

    long size();

    @Override
    void close();
}

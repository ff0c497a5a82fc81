package io.jvmm.cli;

/** A problem with what the user asked for that is not a config-file error (exit code 2). */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}

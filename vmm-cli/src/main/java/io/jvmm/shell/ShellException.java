package io.jvmm.shell;

import io.jvmm.cli.UsageException;

/** A shell command that cannot be done in the current state (exit code 2 in scripts). */
final class ShellException extends UsageException {
    ShellException(String message) {
        super(message);
    }
}

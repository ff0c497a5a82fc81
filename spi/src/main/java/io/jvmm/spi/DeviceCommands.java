package io.jvmm.spi;

import java.util.List;

/**
 * A {@link Device} that offers operations to the user while the VM runs: a balloon's target,
 * a disk's media change, a counter to read. They appear in {@code jvmm shell} as
 * {@code device ID COMMAND ARGS...} and on the control pipe the same way. Since SPI 2.
 *
 * <p>A command runs on the caller's thread (the shell's, the control pipe's), concurrently with
 * the guest: synchronise with the device's own threads, and return promptly.
 */
public interface DeviceCommands {
    /** The commands, in the order {@code device ID} lists them. Called whenever they are listed. */
    List<DeviceCommand> commands();
}

package io.jvmm.spi;

/** A device that cannot be created or has failed; the message is shown to the user. */
public class DeviceException extends Exception {
    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}

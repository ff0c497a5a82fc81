package io.jvmm.spi;

/** A {@link DeviceCommand} refused its arguments or could not act; the message is for the user. */
public class DeviceCommandException extends Exception {
    public DeviceCommandException(String message) {
        super(message);
    }
}

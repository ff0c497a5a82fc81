package io.jvmm.spi;

/**
 * A device config value that is missing, of the wrong type or out of range. The VMM adds
 * the file and table location to the message.
 */
public class DeviceConfigException extends RuntimeException {
    private final String key;

    public DeviceConfigException(String key, String problem) {
        super("key '" + key + "' " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}

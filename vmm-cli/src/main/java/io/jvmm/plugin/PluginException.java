package io.jvmm.plugin;

/**
 * The installed plugins cannot be used as they are (two plugins for one device type, a
 * plugin directory that does not exist). The message is one line for the user.
 */
public class PluginException extends Exception {
    public PluginException(String message) {
        super(message);
    }
}

package io.jvmm.plugin;

import io.jvmm.config.ConfigError;
import io.jvmm.config.ConfigException;
import io.jvmm.config.DeviceSection;
import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.config.VmConfig;
import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceException;
import io.jvmm.spi.DeviceFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a config's [[device]] tables against the plugins without a VM: every type must
 * have a plugin, and (in {@link #dryRun}) each factory builds its device with a
 * {@link DryRunContext} so that bad values and unknown keys are reported. A factory that
 * asks for the VM during {@code create} is checked up to there (the SPI has it read its keys
 * first); a host resource it cannot have ({@link DeviceException}, e.g. a missing disk
 * image) is an error.
 */
public final class DeviceCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCheck.class);

    private DeviceCheck() {
    }

    /** Throws when a device's type has no plugin; lists every such device. */
    public static void checkTypes(VmConfig config, PluginRegistry plugins) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        for (DeviceSection d : config.devices()) {
            if (plugins.find(d.type()).isEmpty()) {
                errors.add(plugins.unknownType(d));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /**
     * Checks types, then creates and closes every device with no VM behind it, collecting
     * config errors from all devices. Note that a factory opens its host resources (files)
     * as it would for a run.
     *
     * @return the number of devices whose keys could not be checked (the plugin failed)
     */
    public static int dryRun(VmConfig config, PluginRegistry plugins) throws ConfigException {
        checkTypes(config, plugins);
        List<ConfigError> errors = new ArrayList<>();
        int unchecked = 0;
        for (DeviceSection d : config.devices()) {
            DeviceFactory factory = plugins.find(d.type()).orElseThrow();
            TomlDeviceConfig deviceConfig = d.config();
            try (Device device = factory.create(deviceConfig, new DryRunContext(d.id()))) {
                errors.addAll(deviceConfig.unusedKeyErrors());
                LOG.debug("{} ({}): checked, created {}", d.key(), d.type(), device.getClass().getName());
            } catch (DeviceConfigException e) {
                errors.add(deviceConfig.error(e));
            } catch (DeviceException e) {
                if (needsVm(e)) {
                    // The SPI has factories read their keys before they need the VM: a key not
                    // read by now is one the plugin does not know (a typo, most likely).
                    errors.addAll(deviceConfig.unusedKeyErrors());
                    LOG.debug("{} ({}): keys checked up to where the device needs a VM: {}", d.key(), d.type(),
                            e.getMessage());
                } else {
                    errors.add(deviceConfig.error(e.getMessage()));
                }
            } catch (RuntimeException | LinkageError e) {
                if (needsVm(e)) {
                    errors.addAll(deviceConfig.unusedKeyErrors());
                    LOG.debug("{} ({}): keys checked up to where the device needs a VM: {}", d.key(), d.type(),
                            e.getMessage());
                } else {
                    unchecked++;
                    LOG.warn("{} ({}): keys not checked, the plugin failed: {}", d.key(), d.type(), e.toString());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return unchecked;
    }

    private static boolean needsVm(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DryRunContext.NoVmException) {
                return true;
            }
        }
        return false;
    }
}

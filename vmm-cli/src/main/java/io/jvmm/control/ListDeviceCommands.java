package io.jvmm.control;

import io.jvmm.spi.DeviceCommand;
import io.jvmm.vm.VmException;
import java.util.List;

/** The runtime commands device {@code id} offers (empty when none); an unknown device is an error. */
public record ListDeviceCommands(String id) implements Operation<List<DeviceCommand>> {
    @Override
    public List<DeviceCommand> apply(VmControl vm) throws VmException {
        return vm.deviceCommands(id);
    }
}

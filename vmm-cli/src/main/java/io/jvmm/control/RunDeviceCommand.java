package io.jvmm.control;

import io.jvmm.vm.VmException;
import java.util.List;

/** Runs one of device {@code id}'s commands; answers what it printed (possibly nothing). */
public record RunDeviceCommand(String id, String command, List<String> arguments) implements Operation<String> {
    public RunDeviceCommand {
        arguments = List.copyOf(arguments);
    }

    @Override
    public String apply(VmControl vm) throws VmException {
        return vm.runDeviceCommand(id, command, arguments);
    }
}

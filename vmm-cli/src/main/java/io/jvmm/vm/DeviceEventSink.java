package io.jvmm.vm;

/**
 * Where what a device reports ({@link io.jvmm.spi.DeviceContext#reportEvent}, and its
 * failures) goes beyond the log: the API's event stream when the VM has one.
 */
@FunctionalInterface
public interface DeviceEventSink {
    /** Must not block: a device may report from a vCPU thread. */
    void deviceEvent(String deviceId, String event, String detail);

    DeviceEventSink NONE = (deviceId, event, detail) -> { };
}

package io.jvmm.examples.pvpanic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.spi.DeviceConfigException;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;
import io.jvmm.testkit.DeviceConfigs;
import io.jvmm.testkit.TestDeviceContext;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What jvmm does with the plugin: find the factory by its service file, check keys, create. */
class PanicDeviceFactoryTest {
    /** A [[device]] table read by jvmm's own config reader, as jvmm hands it over. */
    private static TomlDeviceConfig table(String onPanic) {
        return DeviceConfigs.parse(Path.of("."), "type = \"pvpanic\"\nid = \"panic0\"\non-panic = \"" + onPanic + "\"\n");
    }

    @Test
    void theServiceFileNamesTheFactoryForItsType() {
        DeviceFactory factory = ServiceLoader.load(DeviceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("pvpanic")).findFirst().orElseThrow();
        assertTrue(factory instanceof PanicDeviceFactory);
        assertEquals(SpiVersion.CURRENT, factory.spiVersion());
    }

    @Test
    void aPanicIsLoggedAndPutOnTheVmsEventStream() {
        TestDeviceContext context = new TestDeviceContext("panic0", null);
        PanicDevice device = (PanicDevice) new PanicDeviceFactory().create(table("log"), context);
        device.writeBar(null, 0, new byte[] {PanicDevice.PVPANIC_PANICKED});
        assertEquals(java.util.List.of("guest-panicked: the guest reported a kernel panic"), context.events());
    }

    @Test
    void createsTheDeviceAndRefusesABadValueNamingTheKey() {
        PanicDeviceFactory factory = new PanicDeviceFactory();
        assertEquals("panic0", factory.create(table("ignore"), null).id());
        DeviceConfigException e = assertThrows(DeviceConfigException.class,
                () -> factory.create(table("reboot"), null));
        assertEquals("on-panic", e.key());
    }
}

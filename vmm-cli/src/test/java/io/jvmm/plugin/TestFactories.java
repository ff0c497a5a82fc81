package io.jvmm.plugin;

import io.jvmm.spi.Device;
import io.jvmm.spi.DeviceConfig;
import io.jvmm.spi.DeviceContext;
import io.jvmm.spi.DeviceFactory;
import io.jvmm.spi.SpiVersion;

/**
 * Test-only providers. They are listed in services files that the tests write into a
 * temporary directory, so the broken ones never reach the class path other tests share.
 */
public final class TestFactories {
    private TestFactories() {
    }

    /** A device that holds nothing. */
    record NoDevice(String id) implements Device {
        @Override
        public void close() {
        }
    }

    public static class Good implements DeviceFactory {
        @Override
        public String type() {
            return "test-good";
        }

        @Override
        public int spiVersion() {
            return SpiVersion.CURRENT;
        }

        @Override
        public String description() {
            return "a test device";
        }

        @Override
        public Device create(DeviceConfig config, DeviceContext context) {
            config.string("name");
            return new NoDevice(config.id());
        }
    }

    /** Claims the same type as {@link Good}. */
    public static class Duplicate extends Good {
    }

    public static class Throwing extends Good {
        public Throwing() {
            throw new IllegalStateException("boom in constructor");
        }
    }

    public static class TooNew extends Good {
        @Override
        public String type() {
            return "test-too-new";
        }

        @Override
        public int spiVersion() {
            return SpiVersion.CURRENT + 1;
        }
    }

    /** Reaches for guest memory in create(), which a dry run cannot offer. */
    public static class NeedsVm extends Good {
        @Override
        public String type() {
            return "test-needs-vm";
        }

        @Override
        public Device create(DeviceConfig config, DeviceContext context) {
            context.guestMemory();
            return new NoDevice(config.id());
        }
    }
}

package io.jvmm.virtio.console;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmm.spi.DeviceException;
import io.jvmm.testkit.ByteArrayGuestMemory;
import io.jvmm.testkit.FuzzBytes;
import io.jvmm.virtio.testutil.FuzzRings;
import io.jvmm.virtio.testutil.SyncActivation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * virtio-console's transmit and receive paths (virtio 1.2, 5.3.6): guest output of any chain
 * shape goes to the backend (here /dev/null) in bounded pieces, or resets the device when a
 * chain is more than a console write; host input goes into whatever receive chains the driver
 * offers. An exception out of either worker is a bug.
 *
 * <p>Input: u8 flags (1 EVENT_IDX, 2 INDIRECT_DESC, 4 offer a console size); u16 n and n bytes
 * of host input; the receive queue, the transmit queue, then the buffers, as {@link FuzzRings}
 * reads them.
 */
class ConsoleFuzzTest {
    @FuzzTest
    void transmitAndReceive(FuzzedDataProvider data) throws DeviceException, InterruptedException {
        FuzzBytes in = new FuzzBytes(data.consumeRemainingAsBytes());
        int flags = in.u8();
        byte[] hostInput = in.bytes(in.u16());
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(FuzzRings.RAM);
        var rx = FuzzRings.ring(in, memory, VirtioConsole.RX, VirtioConsole.QUEUE_SIZE);
        var tx = FuzzRings.ring(in, memory, VirtioConsole.TX, VirtioConsole.QUEUE_SIZE);
        FuzzRings.buffers(in, memory);
        InputBuffer input = new InputBuffer();
        input.put(hostInput, 0, hostInput.length);
        input.close();
        try (FileBackend backend = FileBackend.open(Path.of("/dev/null"))) {
            VirtioConsole device = new VirtioConsole("console0", backend, input,
                    (flags & 4) != 0 ? Optional.of(new ConsoleSize(80, 25)) : Optional.empty());
            long features = device.deviceFeatures() | FuzzRings.ringFeatures(flags);
            device.activate(new SyncActivation(features, memory, List.of(rx, tx)));
        }
    }
}

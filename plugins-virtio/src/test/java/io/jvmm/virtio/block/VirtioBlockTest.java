package io.jvmm.virtio.block;

import io.jvmm.config.TomlDeviceConfig;
import io.jvmm.testkit.DeviceConfigs;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.virtio.DescriptorChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioBlockTest {
    @TempDir
    Path dir;

    private final TestMemory memory = new TestMemory(1 << 20);
    private final Chains chains = new Chains(memory, 0x1000, 16);

    @Test
    void eachQueueHasAWorkerThatCompletesRequestsAndSignals() throws Exception {
        byte[] content = new byte[64 * 512];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / 512);
        }
        Files.write(dir.resolve("d.img"), content);
        try (DiskImage img = DiskImage.open(dir.resolve("d.img"), false, false)) {
            VirtioBlock dev = new VirtioBlock("d", img,
                    BlockConfig.from(DeviceConfigs.of("virtio-blk", "d", dir, Map.of("path", "d.img", "queues", 2L))));
            FakeQueue q0 = new FakeQueue(0, 256);
            FakeQueue q1 = new FakeQueue(1, 256);
            FakeActivation a = new FakeActivation(VirtioBlock.bit(VirtioBlock.F_MQ), memory, q0, q1);
            dev.activate(a);
            assertThat(a.workers).hasSize(2);

            chains.out(Chains.blkHeader(BlockRequestHandler.T_IN, 5));
            long d0 = chains.in(512);
            long s0 = chains.in(1);
            DescriptorChain c0 = chains.chain();
            chains.out(Chains.blkHeader(BlockRequestHandler.T_IN, 9));
            long d1 = chains.in(512);
            long s1 = chains.in(1);
            DescriptorChain c1 = chains.chain();
            q0.offer(c0);
            q1.offer(c1);

            List<FakeQueue.Used> u0 = q0.awaitUsed(1, 5000);
            List<FakeQueue.Used> u1 = q1.awaitUsed(1, 5000);
            assertThat(u0.get(0).written()).isEqualTo(513);
            assertThat(u1.get(0).written()).isEqualTo(513);
            assertThat(memory.bytes(d0, 512)).containsOnly(5);
            assertThat(memory.bytes(d1, 512)).containsOnly(9);
            assertThat(memory.readByte(s0)).isZero();
            assertThat(memory.readByte(s1)).isZero();
            assertThat(q0.awaitSignals(1, 5000)).isPositive();

            a.stopAndJoin();
            assertThat(a.workers).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
            dev.reset();
        }
    }

    @Test
    void aRequestWithoutStatusByteAsksForAResetInsteadOfKillingTheVmm() throws Exception {
        Files.write(dir.resolve("d.img"), new byte[4096]);
        try (DiskImage img = DiskImage.open(dir.resolve("d.img"), false, false)) {
            VirtioBlock dev = new VirtioBlock("d", img,
                    BlockConfig.from(DeviceConfigs.of("virtio-blk", "d", dir, Map.of("path", "d.img"))));
            FakeQueue q = new FakeQueue(0, 256);
            FakeActivation a = new FakeActivation(0, memory, q);
            dev.activate(a);
            chains.out(Chains.blkHeader(BlockRequestHandler.T_FLUSH, 0));
            q.offer(chains.chain());
            a.workers.get(0).join(5000);
            assertThat(a.needsReset).contains("status byte");
            a.stopAndJoin();
        }
    }
}

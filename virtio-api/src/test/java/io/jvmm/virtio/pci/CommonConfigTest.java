package io.jvmm.virtio.pci;

import io.jvmm.virtio.pci.CommonConfig.Field;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CommonConfigTest {
    private final Map<Field, Integer> fields = new EnumMap<>(Field.class);
    private final CommonConfig.Registers registers = new CommonConfig.Registers() {
        @Override
        public int read(Field field) {
            return fields.getOrDefault(field, 0);
        }

        @Override
        public void write(Field field, int value) {
            fields.put(field, value);
        }
    };

    @Test
    void anEightByteWriteSetsBothHalvesOfAQueueAddress() {
        CommonConfig.write(registers, 0x20, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(fields).containsEntry(Field.QUEUE_DESC_LO, 0x04030201).containsEntry(Field.QUEUE_DESC_HI, 0x08070605);
    }

    @Test
    void aPartialWriteMergesWithTheCurrentValue() {
        fields.put(Field.DEVICE_FEATURE_SELECT, 0x11223344);
        CommonConfig.write(registers, 0x01, new byte[] {(byte) 0xaa});
        assertThat(fields).containsEntry(Field.DEVICE_FEATURE_SELECT, 0x1122aa44);
    }

    @Test
    void aReadAssemblesTheFieldsItCovers() {
        fields.put(Field.DEVICE_STATUS, 0x0f);
        fields.put(Field.CONFIG_GENERATION, 0x07);
        fields.put(Field.QUEUE_SELECT, 0x0102);
        byte[] data = new byte[4];
        CommonConfig.read(registers, 0x14, data);
        assertThat(data).containsExactly(0x0f, 0x07, 0x02, 0x01);
    }
}

package io.jvmm.vfio;

import io.jvmm.spi.EventFd;
import io.jvmm.spi.GuestMemoryMapper;
import io.jvmm.spi.Interrupts;
import io.jvmm.spi.IrqLine;
import io.jvmm.spi.MsiVector;
import io.jvmm.spi.ResamplingIrqFd;

import java.util.ArrayList;
import java.util.List;

/** The VMM side of the SPI for unit tests: vectors, INTx, mapper and allocator that record what they are asked. */
public final class FakeVmm {
    private int nextFd = 100;
    public final List<FakeVector> vectors = new ArrayList<>();
    public final List<String> mappings = new ArrayList<>();
    public final List<String> unmappings = new ArrayList<>();
    public FakeIntx intx;

    public final class FakeEventFd implements EventFd {
        final int fd = nextFd++;
        public boolean closed;

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public void write(long value) {
        }

        @Override
        public long read() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public final class FakeVector implements MsiVector {
        public final FakeEventFd eventFd = new FakeEventFd();
        public final List<String> updates = new ArrayList<>();
        public boolean closed;

        @Override
        public void update(long address, int data, boolean masked) {
            updates.add(String.format("0x%x/0x%x%s", address, data, masked ? " masked" : ""));
        }

        @Override
        public void trigger() {
        }

        @Override
        public EventFd eventFd() {
            return eventFd;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public final class FakeIntx implements ResamplingIrqFd {
        public final FakeEventFd trigger = new FakeEventFd();
        public final FakeEventFd resample = new FakeEventFd();
        public boolean closed;

        @Override
        public EventFd trigger() {
            return trigger;
        }

        @Override
        public EventFd resample() {
            return resample;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public final Interrupts interrupts = new Interrupts() {
        @Override
        public MsiVector allocateMsi() {
            FakeVector v = new FakeVector();
            vectors.add(v);
            return v;
        }

        @Override
        public IrqLine intx() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ResamplingIrqFd intxIrqFd() {
            intx = new FakeIntx();
            return intx;
        }
    };

    public final GuestMemoryMapper mapper = (guestAddress, fd, fdOffset, size, writable) -> {
        String s = String.format("0x%x+0x%x <- fd%d@0x%x%s", guestAddress, size, fd, fdOffset, writable ? "" : " ro");
        mappings.add(s);
        return new GuestMemoryMapper.MappedMemory() {
            @Override
            public long guestAddress() {
                return guestAddress;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public void moveTo(long newGuestAddress) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                unmappings.add(s);
            }
        };
    };
}

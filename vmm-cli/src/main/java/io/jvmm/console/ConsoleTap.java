package io.jvmm.console;

import io.jvmm.vm.SerialConsole;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A serial console that also lets clients attach and detach while the VM runs (the API's console
 * stream): guest output goes to the wrapped console and to every attached client, and clients
 * may type into the guest. The guest's output is written on a vCPU thread, so handing it to a
 * client only queues it: a client that falls more than {@link #CLIENT_QUEUE} writes behind is cut
 * off (it sees the end of its stream), never slowing the guest or growing memory. The last
 * {@link #HISTORY} bytes are kept so an attaching client sees the current screen's worth.
 */
public final class ConsoleTap implements SerialConsole {
    public static final int HISTORY = 16 * 1024;
    public static final int CLIENT_QUEUE = 4096;
    private static final byte[] END = new byte[0];

    private final SerialConsole inner;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final byte[] history = new byte[HISTORY];
    private long written;
    private volatile Consumer<byte[]> guestInput;

    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            inner.output().write(b, off, len);
            byte[] copy = Arrays.copyOfRange(b, off, off + len);
            remember(copy);
            for (Client c : clients) {
                c.offer(copy);
            }
        }

        @Override
        public void flush() throws IOException {
            inner.output().flush();
        }
    };

    public ConsoleTap(SerialConsole inner) {
        this.inner = inner;
    }

    private synchronized void remember(byte[] b) {
        for (byte x : b) {
            history[(int) (written++ % HISTORY)] = x;
        }
    }

    /** The last bytes the guest wrote, oldest first (at most {@link #HISTORY}). */
    public synchronized byte[] history() {
        int n = (int) Math.min(written, HISTORY);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = history[(int) ((written - n + i) % HISTORY)];
        }
        return out;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void attachInput(Consumer<byte[]> guestInput) {
        this.guestInput = guestInput;
        inner.attachInput(guestInput);
    }

    @Override
    public void onQuit(Runnable stopVm) {
        inner.onQuit(stopVm);
    }

    /** Types {@code bytes} into the guest's serial port; false before the guest runs. */
    public boolean type(byte[] bytes) {
        Consumer<byte[]> in = guestInput;
        if (in == null) {
            return false;
        }
        in.accept(bytes.clone());
        return true;
    }

    /** Attaches a client; it receives what the guest writes from now on until it closes. */
    public Client attach() {
        Client c = new Client();
        clients.add(c);
        return c;
    }

    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        clients.forEach(Client::end);
        inner.close();
    }

    /** One attached client's queue of guest output. */
    public final class Client implements AutoCloseable {
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
        private volatile boolean cutOff;

        private void offer(byte[] b) {
            if (!cutOff && !queue.offer(b)) {
                cutOff = true;
                clients.remove(this);
                queue.clear();
                queue.offer(END);
            }
        }

        private void end() {
            queue.clear();
            queue.offer(END);
        }

        /** The next output, an empty array at the end (VM gone, or this client fell behind), null on timeout. */
        public byte[] next(long millis) throws InterruptedException {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Whether this client was cut off for falling behind. */
        public boolean cutOff() {
            return cutOff;
        }

        @Override
        public void close() {
            clients.remove(this);
        }
    }
}

package io.jvmm.virtio.console;

import io.jvmm.spi.Snapshottable.StateException;
import io.jvmm.virtio.StateCodec;

/**
 * A virtio-console device's own snapshot record: where port 0 was connected and the console
 * size the guest was told. On restore the backend is opened again from the config (a file in
 * append mode, so the output before the snapshot stays); this record makes sure it is the same
 * port and gives the guest back the size it knew (a terminal that differs now is reported with a
 * config change by the size follower, as after any resize).
 *
 * @param port  the backend, as it describes itself ("file /x/hvc0.log", "stdio", ...)
 * @param cols  columns reported with VIRTIO_CONSOLE_F_SIZE, 0 when no size is offered
 * @param rows  rows, 0 when no size is offered
 */
record ConsoleState(String port, int cols, int rows) {
    static final int VERSION = 1;

    byte[] encode() {
        return new StateCodec.Writer().putInt(VERSION).putString(port).putInt(cols).putInt(rows).toByteArray();
    }

    static ConsoleState decode(byte[] data) throws StateException {
        StateCodec.Reader r = StateCodec.open("virtio-console state", data, VERSION);
        ConsoleState s = new ConsoleState(r.getString("port"), r.getInt("cols"), r.getInt("rows"));
        r.end();
        boolean none = s.cols == 0 && s.rows == 0;
        if (!none && (s.cols < 1 || s.cols > ConsoleSize.MAX || s.rows < 1 || s.rows > ConsoleSize.MAX)) {
            throw new StateException("virtio-console state: console size " + s.cols + "x" + s.rows);
        }
        return s;
    }
}

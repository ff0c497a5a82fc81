package io.jvmm.vm;

import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Where the guest's serial port goes on the host: implementations in {@code io.jvmm.console}
 * (the terminal, a file, nowhere). The VMM writes guest output to {@link #output()},
 * calls {@link #attachInput} once when the guest is about to run, and {@link #close()}
 * when the VM has ended.
 */
public interface SerialConsole extends AutoCloseable {
    /** Receives the bytes the guest transmits. Never closed by the VMM; {@link #close()} does that. */
    OutputStream output();

    /**
     * Starts delivering host input to {@code guestInput} (from a console thread). Consoles
     * without input ignore this. A terminal console enters raw mode here, not before.
     */
    void attachInput(Consumer<byte[]> guestInput);

    /**
     * Sets what to run when the user asks to end the VM from the console (Ctrl-A x on a
     * terminal). The VMM passes something that stops the VM, e.g.
     * {@code () -> vm.stop(VmExit.POWER_OFF)}. Called from a console thread.
     * Consoles without input never call it.
     */
    default void onQuit(Runnable stopVm) {
    }

    /** Restores the terminal and releases files. Idempotent. */
    @Override
    void close();
}

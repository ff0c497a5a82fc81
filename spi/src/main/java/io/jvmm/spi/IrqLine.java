package io.jvmm.spi;

/** A level-triggered legacy interrupt line (INTx) into the in-kernel IOAPIC. */
public interface IrqLine {
    /** The GSI this line is wired to. */
    int gsi();

    void assertLine();

    void deassertLine();

    /** Raises and lowers the line, for edge-style notification. */
    default void pulse() {
        assertLine();
        deassertLine();
    }
}

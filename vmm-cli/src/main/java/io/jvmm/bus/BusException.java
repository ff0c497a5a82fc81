package io.jvmm.bus;

/** A bus registration that cannot be made: an overlap, an empty range or an unknown base. */
public class BusException extends RuntimeException {
    public BusException(String message) {
        super(message);
    }
}

package io.jvmm.virtio;

/**
 * A request that does not fit its descriptor chain: the device asked a {@link ChainReader} or
 * {@link ChainWriter} for more bytes than the chain has, or guest memory refused the access.
 * The device answers the request with its error status or calls
 * {@link VirtioActivation#needsReset(String)}; the VMM goes on.
 */
public class BadChainException extends RuntimeException {
    public BadChainException(String message) {
        super(message);
    }

    public BadChainException(String message, Throwable cause) {
        super(message, cause);
    }
}

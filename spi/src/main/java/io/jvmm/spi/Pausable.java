package io.jvmm.spi;

/**
 * A device whose workers can be stopped and restarted. While paused a device takes no
 * requests from the guest and does not touch guest memory, so the VM's state can be saved.
 */
public interface Pausable {
    void pause();

    void resume();
}

package io.jvmm.devices.legacy;

/**
 * A PS/2 keyboard with no keys pressed, behind the {@link I8042}: it answers the commands
 * Linux's atkbd driver sends while probing (IBM PS/2 Keyboard Technical Reference, "Commands
 * from the system"), so the driver finds a keyboard instead of waiting for timeouts.
 * Not thread-safe: the controller locks.
 */
final class Ps2Keyboard {
    static final int ACK = 0xfa;
    static final int RESEND = 0xfe;
    static final int BAT_PASSED = 0xaa;
    static final int ECHO = 0xee;
    private static final int[] NONE = {};

    private static final int SET_LEDS = 0xed;
    private static final int SCANCODE_SET = 0xf0;
    private static final int IDENTIFY = 0xf2;
    private static final int SET_TYPEMATIC = 0xf3;
    private static final int ENABLE = 0xf4;
    private static final int DISABLE = 0xf5;
    private static final int RESEND_LAST = 0xfe;
    private static final int RESET = 0xff;

    private int awaitingParameterFor = -1;
    private int scancodeSet = 2;
    private boolean scanning = true;
    private int[] lastAnswer = NONE;

    /**
     * Takes a byte the system sends to the keyboard.
     *
     * @param translated the controller translates to set 1 (command byte bit 6), which also
     *                   changes how the ID reads
     * @return the keyboard's answer bytes, in order
     */
    int[] receive(int value, boolean translated) {
        int[] answer = value == RESEND_LAST ? lastAnswer : handle(value, translated);
        lastAnswer = answer;
        return answer;
    }

    void save(io.jvmm.snapshot.StateOutput out) {
        out.u32(awaitingParameterFor).u8(scancodeSet).bool(scanning).u32(lastAnswer.length);
        for (int b : lastAnswer) {
            out.u8(b);
        }
    }

    void restore(io.jvmm.snapshot.StateInput in) throws io.jvmm.snapshot.SnapshotException {
        int awaiting = in.u32();
        int set = in.u8();
        boolean scan = in.bool();
        int n = in.u32();
        if (awaiting < -1 || awaiting > 0xff || set < 1 || set > 3 || n < 0 || n > 8) {
            throw in.bad("keyboard state out of range");
        }
        int[] answer = new int[n];
        for (int i = 0; i < n; i++) {
            answer[i] = in.u8();
        }
        awaitingParameterFor = awaiting;
        scancodeSet = set;
        scanning = scan;
        lastAnswer = answer;
    }

    boolean scanning() {
        return scanning;
    }

    private int[] handle(int value, boolean translated) {
        // A command byte where a parameter was expected starts a new command (parameters are < 0x80).
        if (awaitingParameterFor >= 0 && value < 0x80) {
            int command = awaitingParameterFor;
            awaitingParameterFor = -1;
            if (command == SCANCODE_SET) {
                if (value == 0) {
                    return new int[] {ACK, scancodeSet};
                }
                if (value > 3) {
                    return new int[] {RESEND};
                }
                scancodeSet = value;
            }
            return new int[] {ACK};
        }
        awaitingParameterFor = -1;
        switch (value) {
            case SET_LEDS, SET_TYPEMATIC, SCANCODE_SET -> {
                awaitingParameterFor = value;
                return new int[] {ACK};
            }
            case ECHO -> {
                return new int[] {ECHO};
            }
            case IDENTIFY -> {
                // An MF2 keyboard: AB 83; the 8042 translates the 83 to 41 (as seen through it).
                return new int[] {ACK, 0xab, translated ? 0x41 : 0x83};
            }
            case ENABLE -> {
                scanning = true;
                return new int[] {ACK};
            }
            case DISABLE -> {
                scanning = false;
                return new int[] {ACK};
            }
            case RESET -> {
                scanning = true;
                scancodeSet = 2;
                return new int[] {ACK, BAT_PASSED};
            }
            default -> {
                // 0xF6 set default, 0xF7-0xFD set-3 key types: accepted.
                if (value >= 0xf6 && value <= 0xfd) {
                    return new int[] {ACK};
                }
                return new int[] {RESEND};
            }
        }
    }
}

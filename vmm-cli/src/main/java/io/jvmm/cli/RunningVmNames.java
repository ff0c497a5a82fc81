package io.jvmm.cli;

import java.util.Iterator;
import java.util.List;

/**
 * Completion candidates for a VM name. A generated completion script would freeze the names
 * running when it was made; this one candidate is a shell command substitution instead, which
 * bash's {@code compgen -W} expands each time Tab is pressed: the sockets in this user's
 * directory, as {@code jvmm ls} finds them.
 */
final class RunningVmNames implements Iterable<String> {
    static final String SHELL = "$(d=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/jvmm}; "
            + "d=${d:-$([ \"$(id -u)\" = 0 ] && echo /run/jvmm || echo /tmp/jvmm-$(id -u))}; "
            + "for s in \"$d\"/*.sock; do [ -S \"$s\" ] && basename \"$s\" .sock; done)";

    @Override
    public Iterator<String> iterator() {
        return List.of(SHELL).iterator();
    }
}

package io.jvmm.api;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * Who is on the other end of a connection, from the kernel (SO_PEERCRED, unix(7)), not from
 * anything the client says: only the VM's own user and root may drive it.
 */
final class PeerCheck {
    private final String owner;

    PeerCheck(String owner) {
        this.owner = owner;
    }

    /** Null if the peer may proceed, else the sentence that refuses it. */
    String refusal(EndPoint endPoint) {
        if (!(endPoint instanceof SocketChannelEndPoint ep)) {
            return "cannot tell who is connecting (not a Unix socket)";
        }
        SocketChannel ch = ep.getChannel();
        String user;
        try {
            UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            user = p.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot read the peer's credentials: " + e.getMessage();
        }
        if (user.equals(owner) || user.equals("root")) {
            return null;
        }
        return "user " + user + " may not control this VM (it belongs to " + owner + ")";
    }
}

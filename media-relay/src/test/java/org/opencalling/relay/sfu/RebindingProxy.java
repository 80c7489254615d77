package org.opencalling.relay.sfu;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * A NAT on loopback, for one browser: what the browser sends to {@link #port()} goes on to the
 * target from an upstream socket, and what comes back there returns to the browser.
 * {@link #rebind()} swaps the upstream socket for a new one, as a NAT that gives a flow a new
 * port does: to the server, the browser's address has changed. {@link #lossToBrowser} drops that
 * share of the RTP on its way to the browser.
 */
final class RebindingProxy implements AutoCloseable {
    private final DatagramSocket front;
    private final InetSocketAddress target;
    private volatile DatagramSocket upstream;
    private volatile InetSocketAddress browser;
    private volatile boolean closed;
    /** The share of RTP packets toward the browser this NAT loses (a lossy last mile). */
    volatile double lossToBrowser;
    private final java.util.Random random = new java.util.Random(11);

    RebindingProxy(InetSocketAddress target) throws SocketException {
        this.target = target;
        this.front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.upstream = newUpstream();
        Thread t = new Thread(this::forwardUp, "nat-front");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return front.getLocalPort();
    }

    /** The browser's address as the server now sees it. */
    InetSocketAddress upstreamAddress() {
        return (InetSocketAddress) upstream.getLocalSocketAddress();
    }

    void rebind() throws SocketException {
        DatagramSocket old = upstream;
        upstream = newUpstream();
        old.close();
    }

    private DatagramSocket newUpstream() throws SocketException {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> forwardDown(s), "nat-upstream-" + s.getLocalPort());
        t.setDaemon(true);
        t.start();
        return s;
    }

    private void forwardUp() {
        byte[] buf = new byte[2048];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                front.receive(p);
                browser = (InetSocketAddress) p.getSocketAddress();
                upstream.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), target));
            } catch (IOException e) {
                if (closed) {
                    return;
                } // else the upstream socket was swapped under us: the next datagram goes by the new one
            }
        }
    }

    private void forwardDown(DatagramSocket s) {
        byte[] buf = new byte[2048];
        while (!s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                InetSocketAddress b = browser;
                int first = p.getData()[p.getOffset()] & 0xFF;
                int second = p.getData()[p.getOffset() + 1] & 0xFF;
                boolean rtp = p.getLength() > 12 && first >= 128 && first <= 191 && (second < 192 || second > 223);
                if (rtp && random.nextDouble() < lossToBrowser) {
                    continue;
                }
                if (b != null) {
                    front.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), b));
                }
            } catch (IOException e) {
                return; // closed by rebind() or close()
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        upstream.close();
        front.close();
    }
}

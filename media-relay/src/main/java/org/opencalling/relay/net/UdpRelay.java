package org.opencalling.relay.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.opencalling.relay.allocation.Allocation;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.turn.TurnHandler;

/**
 * TURN over UDP on real sockets: the client-facing ports and one socket per allocation's relayed
 * port, all on one selector thread (the handler and the allocation table are then touched by one
 * thread). Plain NIO for now; a Netty/epoll transport is to be measured against it.
 */
public final class UdpRelay implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;

    private final TurnHandler handler;
    private final Allocations allocations;
    private final InetAddress bindAddress;
    private final LongSupplier clock;
    private final Selector selector;
    private final Map<Integer, DatagramChannel> listeners = new ConcurrentHashMap<>();
    private final Map<Integer, DatagramChannel> relays = new ConcurrentHashMap<>();
    private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] packet = new byte[MAX_DATAGRAM];
    private final Thread loop;
    private volatile boolean running = true;
    private long nextExpiry;

    /** Binds the listening ports ({@code 0}: any free port) on {@code bindAddress} and starts. */
    public UdpRelay(TurnHandler handler, Allocations allocations, InetAddress bindAddress, List<Integer> ports,
                    LongSupplier clock) throws IOException {
        this.handler = handler;
        this.allocations = allocations;
        this.bindAddress = bindAddress;
        this.clock = clock;
        this.selector = Selector.open();
        for (int port : ports) {
            DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(bindAddress, port));
            c.configureBlocking(false);
            int actual = ((InetSocketAddress) c.getLocalAddress()).getPort();
            listeners.put(actual, c);
            c.register(selector, SelectionKey.OP_READ, actual);
        }
        allocations.listener(new Allocations.Listener() {
            @Override
            public boolean opened(Allocation a) {
                return openRelay(a.relayPort());
            }

            @Override
            public void closed(Allocation a) {
                DatagramChannel c = relays.remove(a.relayPort());
                if (c != null) {
                    try {
                        c.close();
                        // A registered channel lets its port go only at the next selection: now,
                        // so the port is free before the client hears that it was released.
                        selector.selectNow();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        });
        loop = new Thread(this::run, "udp-relay");
        loop.setDaemon(true);
        loop.start();
    }

    /** The client-facing ports actually bound. */
    public List<Integer> ports() {
        return new ArrayList<>(listeners.keySet());
    }

    private boolean openRelay(int port) {
        try {
            DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(bindAddress, port));
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, -port); // negative: a relayed port
            relays.put(port, c);
            return true;
        } catch (IOException e) {
            return false; // in use by something else: 508 for this Allocate
        }
    }

    private void run() {
        while (running) {
            try {
                selector.select(250);
                // A copy: handling a packet may close a relayed socket, which needs a selectNow().
                List<SelectionKey> ready = new ArrayList<>(selector.selectedKeys());
                selector.selectedKeys().clear();
                for (SelectionKey k : ready) {
                    if (k.isValid() && k.isReadable()) {
                        read((DatagramChannel) k.channel(), (Integer) k.attachment());
                    }
                }
                long now = clock.getAsLong();
                if (now >= nextExpiry) {
                    allocations.expire(now);
                    nextExpiry = now + 1000;
                }
            } catch (IOException | RuntimeException e) {
                // One bad packet or socket must not stop the relay; it is dropped.
            }
        }
    }

    private void read(DatagramChannel c, int tag) throws IOException {
        for (int i = 0; i < 64; i++) { // drain a burst, then give other sockets their turn
            in.clear();
            SocketAddress from = c.receive(in);
            if (from == null) {
                return;
            }
            in.flip();
            int len = in.remaining();
            in.get(packet, 0, len);
            long now = clock.getAsLong();
            InetSocketAddress sender = (InetSocketAddress) from;
            List<TurnHandler.Output> out = tag >= 0
                    ? handler.fromClient(new FiveTuple(sender, new InetSocketAddress(bindAddress, tag),
                            FiveTuple.Transport.UDP), packet, 0, len, now)
                    : handler.fromPeer(-tag, sender, packet, 0, len, now);
            for (TurnHandler.Output o : out) {
                send(o);
            }
        }
    }

    private void send(TurnHandler.Output o) throws IOException {
        if (o instanceof TurnHandler.ToClient t) {
            DatagramChannel c = listeners.get(t.tuple().server().getPort());
            if (c != null) {
                c.send(ByteBuffer.wrap(t.bytes()), t.tuple().client());
            }
        } else if (o instanceof TurnHandler.ToPeer p) {
            DatagramChannel c = relays.get(p.relayPort());
            if (c != null) {
                c.send(ByteBuffer.wrap(p.data()), p.peer());
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel c : listeners.values()) {
            c.close();
        }
        for (DatagramChannel c : relays.values()) {
            c.close();
        }
        selector.close();
    }
}

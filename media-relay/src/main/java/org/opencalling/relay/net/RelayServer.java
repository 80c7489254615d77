package org.opencalling.relay.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.opencalling.relay.allocation.Allocation;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.ChannelData;
import org.opencalling.stun.StunTypes;

/**
 * TURN on real sockets: client-facing UDP ports, client-facing TCP ports (STUN and ChannelData
 * framed on the stream, RFC 8656 §12.5: ChannelData padded to four bytes) and one UDP socket per
 * allocation's relayed port, all on one selector thread (the handler and the allocation table are
 * then touched by one thread). Plain NIO for now; a Netty/epoll transport is to be measured
 * against it.
 */
public final class RelayServer implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;
    /** The largest frame a stream may carry (a STUN message or ChannelData with its header). */
    private static final int MAX_FRAME = 0xFFFF + StunTypes.HEADER_LENGTH;

    private final TurnHandler handler;
    private final Allocations allocations;
    private final InetAddress bindAddress;
    private final LongSupplier clock;
    private final Selector selector;
    private final Map<Integer, DatagramChannel> udpListeners = new ConcurrentHashMap<>();
    private final Map<Integer, ServerSocketChannel> tcpListeners = new ConcurrentHashMap<>();
    private final Map<Integer, DatagramChannel> relays = new ConcurrentHashMap<>();
    private final Map<FiveTuple, TcpConnection> connections = new ConcurrentHashMap<>();
    private final List<String> unbound = new ArrayList<>();
    private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] packet = new byte[MAX_DATAGRAM];
    private final Thread loop;
    /** Work asked of the relay's thread by others (the admin API), with who waits for it. */
    private record Task(Runnable run, java.util.concurrent.CompletableFuture<?> future) {
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<Task> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile long sendFailures;
    /** At most this many TCP connections at once; more are closed at accept. */
    static final int MAX_TCP_CONNECTIONS = 10_000;
    /** A TCP connection that has no allocation this long after it opened is closed. */
    static final long TCP_IDLE_WITHOUT_ALLOCATION_MILLIS = 30_000;
    private long nextExpiry;

    /** What a key stands for. */
    private sealed interface Tag {
    }

    private record UdpListener(int port) implements Tag {
    }

    private record Relayed(int port) implements Tag {
    }

    private record TcpListener(int port) implements Tag {
    }

    /** One client's TCP connection: its 5-tuple, what it sent that is not a whole frame yet, what waits to be written. */
    private static final class TcpConnection implements Tag {
        final SocketChannel channel;
        final FiveTuple tuple;
        final ByteBuffer input = ByteBuffer.allocate(MAX_FRAME + 4);
        final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
        final long openedAt = System.currentTimeMillis();
        int queued;

        TcpConnection(SocketChannel channel, FiveTuple tuple) {
            this.channel = channel;
            this.tuple = tuple;
        }
    }

    /** Binds the ports ({@code 0}: any free port) on {@code bindAddress} and starts. */
    public RelayServer(TurnHandler handler, Allocations allocations, InetAddress bindAddress, List<Integer> udpPorts,
                       List<Integer> tcpPorts, LongSupplier clock) throws IOException {
        this.handler = handler;
        this.allocations = allocations;
        this.bindAddress = bindAddress;
        this.clock = clock;
        this.selector = Selector.open();
        // Each port on its own: one that cannot be bound (below 1024 without privilege, in use) is
        // reported in unbound() and the others are served; none at all is an error.
        for (int port : udpPorts) {
            try {
                DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(bindAddress, port));
                c.configureBlocking(false);
                int actual = ((InetSocketAddress) c.getLocalAddress()).getPort();
                udpListeners.put(actual, c);
                c.register(selector, SelectionKey.OP_READ, new UdpListener(actual));
            } catch (IOException e) {
                unbound.add("udp/" + port + " (" + why(port, e) + ")");
            }
        }
        for (int port : tcpPorts) {
            try {
                ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(bindAddress, port), 256);
                s.configureBlocking(false);
                int actual = ((InetSocketAddress) s.getLocalAddress()).getPort();
                tcpListeners.put(actual, s);
                s.register(selector, SelectionKey.OP_ACCEPT, new TcpListener(actual));
            } catch (IOException e) {
                unbound.add("tcp/" + port + " (" + why(port, e) + ")");
            }
        }
        if (udpListeners.isEmpty() && tcpListeners.isEmpty() && !(udpPorts.isEmpty() && tcpPorts.isEmpty())) {
            closeAll();
            throw new IOException("none of the relay's ports could be bound: " + unbound);
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
        try {
            java.util.Set<Integer> own = ownPorts();
            udpPorts.stream().filter(p -> p > 0).forEach(own::add); // configured ones not bound too
            tcpPorts.stream().filter(p -> p > 0).forEach(own::add);
            handler.ownAddresses(ownAddresses(bindAddress), own, allocations::relayedPort);
        } catch (IOException | RuntimeException e) {
            closeAll();
            throw e;
        }
        loop = new Thread(this::run, "turn-relay");
        loop.setDaemon(true);
        loop.start();
    }

    private static String why(int port, IOException e) {
        return port > 0 && port < 1024 ? "below 1024 needs privilege (CAP_NET_BIND_SERVICE)" : String.valueOf(e.getMessage());
    }

    /** The configured ports that could not be bound, with why. */
    public List<String> unbound() {
        return List.copyOf(unbound);
    }

    /** The client-facing UDP ports actually bound. */
    public List<Integer> udpPorts() {
        return new ArrayList<>(udpListeners.keySet());
    }

    /** The client-facing TCP ports actually bound. */
    public List<Integer> tcpPorts() {
        return new ArrayList<>(tcpListeners.keySet());
    }

    private java.util.Set<Integer> ownPorts() {
        java.util.Set<Integer> ports = new java.util.HashSet<>(udpListeners.keySet());
        ports.addAll(tcpListeners.keySet());
        return ports;
    }

    /** The addresses the listeners answer on: the bind address, or every local one for a wildcard. */
    private static java.util.Set<InetAddress> ownAddresses(InetAddress bindAddress) throws IOException {
        java.util.Set<InetAddress> own = new java.util.HashSet<>();
        own.add(bindAddress);
        if (bindAddress.isAnyLocalAddress()) {
            for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                own.addAll(java.util.Collections.list(ni.getInetAddresses()));
            }
        }
        return own;
    }

    /**
     * Runs {@code task} on the relay's thread (which alone touches the handler's and the
     * allocations' per-packet state) and completes with its result.
     */
    public <T> java.util.concurrent.CompletableFuture<T> onLoop(java.util.function.Supplier<T> task) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("the relay is stopped"));
            return f;
        }
        tasks.add(new Task(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, f));
        selector.wakeup();
        if (!running) {
            failPending(); // stopped meanwhile: nobody else will take it
        }
        return f;
    }

    /** Ends these allocations now (a TCP one's connection too); completes with how many it ended. */
    public java.util.concurrent.CompletableFuture<Integer> end(java.util.Collection<Allocation> which) {
        return onLoop(() -> {
            int n = 0;
            for (Allocation a : which) {
                if (allocations.remove(a, Allocations.End.ADMIN)) {
                    n++;
                    TcpConnection c = a.tuple().transport() == FiveTuple.Transport.TCP ? connections.get(a.tuple()) : null;
                    if (c != null) {
                        drop(c);
                    }
                }
            }
            return n;
        });
    }

    private boolean openRelay(int port) {
        DatagramChannel c = null;
        try {
            c = DatagramChannel.open();
            c.bind(new InetSocketAddress(bindAddress, port));
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, new Relayed(port));
            relays.put(port, c);
            return true;
        } catch (IOException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // it was never bound
                }
            }
            return false; // held by another process: the Allocate tries another port
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
                    handle(k);
                }
                for (Task t; (t = tasks.poll()) != null; ) {
                    t.run().run();
                }
                long now = clock.getAsLong();
                if (now >= nextExpiry) {
                    allocations.expire(now);
                    closeIdleConnections();
                    nextExpiry = now + 1000;
                }
            } catch (Throwable e) { // even an OutOfMemoryError: the relay must go on serving
                // One bad packet or socket must not stop the relay; it is dropped.
            }
        }
    }

    private void handle(SelectionKey k) {
        try {
            if (!k.isValid()) {
                return;
            }
            Object tag = k.attachment();
            if (tag instanceof TcpListener l && k.isAcceptable()) {
                accept((ServerSocketChannel) k.channel(), l.port());
            } else if (tag instanceof TcpConnection c) {
                if (k.isReadable()) {
                    readStream(c);
                }
                if (k.isValid() && k.isWritable()) {
                    flush(c);
                }
            } else if (k.isReadable()) {
                readDatagrams((DatagramChannel) k.channel(), tag);
            }
        } catch (IOException | RuntimeException e) {
            if (k.attachment() instanceof TcpConnection c) {
                drop(c);
            }
        }
    }

    private void accept(ServerSocketChannel server, int port) throws IOException {
        SocketChannel s;
        while ((s = server.accept()) != null) {
            if (connections.size() >= MAX_TCP_CONNECTIONS) {
                s.close();
                continue;
            }
            s.configureBlocking(false);
            s.socket().setTcpNoDelay(true);
            FiveTuple tuple = new FiveTuple((InetSocketAddress) s.getRemoteAddress(),
                    new InetSocketAddress(bindAddress, port), FiveTuple.Transport.TCP);
            TcpConnection c = new TcpConnection(s, tuple);
            connections.put(tuple, c);
            s.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void readDatagrams(DatagramChannel c, Object tag) throws IOException {
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
            List<TurnHandler.Output> out = tag instanceof UdpListener l
                    ? handler.fromClient(new FiveTuple(sender, new InetSocketAddress(bindAddress, l.port()),
                            FiveTuple.Transport.UDP), packet, 0, len, now)
                    : handler.fromPeer(((Relayed) tag).port(), sender, packet, 0, len, now);
            for (TurnHandler.Output o : out) {
                send(o);
            }
        }
    }

    /** Reads what the stream has, and hands every whole frame to the handler. */
    private void readStream(TcpConnection c) throws IOException {
        int n = c.channel.read(c.input);
        if (n < 0) {
            drop(c);
            return;
        }
        c.input.flip();
        while (true) {
            int available = c.input.remaining();
            if (available < 4) {
                break;
            }
            int p = c.input.position();
            byte[] buf = c.input.array();
            int first = buf[p] & 0xFF;
            int length = ((buf[p + 2] & 0xFF) << 8) | (buf[p + 3] & 0xFF);
            int frame;
            if ((first & 0xC0) == 0) {
                frame = StunTypes.HEADER_LENGTH + length; // STUN: its length field excludes the header
            } else if ((first & 0xC0) == 0x40) {
                frame = ChannelData.streamFrameLength(length); // ChannelData: padded on streams
            } else {
                drop(c); // neither: the stream cannot be resynchronised
                return;
            }
            if (available < frame) {
                break;
            }
            List<TurnHandler.Output> out = handler.fromClient(c.tuple, buf, p,
                    (first & 0xC0) == 0 ? frame : 4 + length, clock.getAsLong());
            c.input.position(p + frame);
            for (TurnHandler.Output o : out) {
                send(o);
            }
            if (!c.channel.isOpen()) {
                return; // dropped (a client that does not read): nothing more from it
            }
        }
        c.input.compact();
    }

    /** Sends one output; a failure (a peer unreachable, a firewall) costs that packet only. */
    private void send(TurnHandler.Output o) {
        try {
            sendOrFail(o);
        } catch (IOException | RuntimeException e) {
            sendFailures++;
        }
    }

    private void sendOrFail(TurnHandler.Output o) throws IOException {
        if (o instanceof TurnHandler.ToClient t) {
            if (t.tuple().transport() == FiveTuple.Transport.TCP) {
                TcpConnection c = connections.get(t.tuple());
                if (c != null) {
                    write(c, t.bytes());
                }
                return;
            }
            DatagramChannel c = udpListeners.get(t.tuple().server().getPort());
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

    /** Writes now what the socket takes; queues the rest (bounded: a client that does not read is dropped). */
    private void write(TcpConnection c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (c.output.isEmpty()) {
            c.channel.write(b);
            if (!b.hasRemaining()) {
                return;
            }
        }
        c.output.add(b);
        c.queued += b.remaining();
        if (c.queued > 4 * MAX_FRAME) {
            drop(c);
            return;
        }
        c.channel.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void flush(TcpConnection c) throws IOException {
        while (!c.output.isEmpty()) {
            ByteBuffer b = c.output.peek();
            int before = b.remaining();
            c.channel.write(b);
            c.queued -= before - b.remaining();
            if (b.hasRemaining()) {
                return;
            }
            c.output.poll();
        }
        c.channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
    }

    /** TCP connections that never made an allocation within their time: closed (they cost a buffer each). */
    private void closeIdleConnections() {
        long limit = System.currentTimeMillis() - TCP_IDLE_WITHOUT_ALLOCATION_MILLIS;
        for (TcpConnection c : List.copyOf(connections.values())) {
            if (c.openedAt < limit && allocations.of(c.tuple) == null) {
                drop(c);
            }
        }
    }

    /** Packets that could not be sent (peer unreachable and the like), for the metrics. */
    public long sendFailures() {
        return sendFailures;
    }

    /** The connection is gone: so is its allocation (RFC 8656 §3.1: its lifetime is the connection's). */
    private void drop(TcpConnection c) {
        connections.remove(c.tuple, c);
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // gone anyway
        }
        Allocation a = allocations.of(c.tuple);
        if (a != null) {
            allocations.remove(a, Allocations.End.CONNECTION_CLOSED);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            if (loop != null) {
                loop.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll();
        failPending();
    }

    /** What was asked of a stopped relay fails at once (nobody waits on it forever). */
    private void failPending() {
        for (Task t; (t = tasks.poll()) != null; ) {
            t.future().completeExceptionally(new IllegalStateException("the relay is stopped"));
        }
    }

    private void closeAll() throws IOException {
        for (DatagramChannel c : udpListeners.values()) {
            c.close();
        }
        for (ServerSocketChannel s : tcpListeners.values()) {
            s.close();
        }
        for (TcpConnection c : connections.values()) {
            c.channel.close();
        }
        for (DatagramChannel c : relays.values()) {
            c.close();
        }
        selector.close();
    }
}

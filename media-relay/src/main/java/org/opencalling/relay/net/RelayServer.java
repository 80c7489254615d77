package org.opencalling.relay.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.opencalling.relay.allocation.Allocation;
import org.opencalling.relay.allocation.Allocations;
import org.opencalling.relay.allocation.FiveTuple;
import org.opencalling.relay.turn.TurnHandler;
import org.opencalling.stun.StreamFraming;

/**
 * TURN on real sockets: client-facing UDP ports, client-facing TCP ports (STUN and ChannelData
 * framed on the stream, RFC 8656 §12.5: ChannelData padded to four bytes) and one UDP socket per
 * allocation's relayed port.
 *
 * <p>Several event loops (one thread and one NIO selector each, epoll on Linux), so the relay uses
 * more than one core. Each client-facing UDP port is bound once per loop with SO_REUSEPORT, and
 * the kernel spreads clients over the loops by address; an allocation's relayed socket lives on the
 * loop that handled its Allocate, as does a TCP connection, so one allocation's packets stay on one
 * thread. The handler and the allocation table are thread-safe for the rest.
 */
public final class RelayServer implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;
    /**
     * Socket buffers for the UDP sockets: room for a burst while a loop waits for a core (the
     * kernel caps them at net.core.rmem_max / wmem_max).
     */
    private static final int UDP_RECEIVE_BUFFER = 4 << 20;
    private static final int UDP_SEND_BUFFER = 1 << 20;
    /** Each relayed socket carries one allocation's share: smaller, as kernel memory is per socket. */
    private static final int RELAYED_RECEIVE_BUFFER = 256 << 10;
    /** The largest frame a stream may carry (a STUN message or ChannelData with its header). */
    private static final int MAX_FRAME = StreamFraming.MAX_FRAME;
    /** At most this many TCP connections at once; more are closed at accept. */
    static final int MAX_TCP_CONNECTIONS = 10_000;
    private static final int TCP_SOFT_QUEUE = 4 * MAX_FRAME;
    private static final int TCP_HARD_QUEUE = 16 * MAX_FRAME;
    /** A TCP connection that has no allocation this long after it opened is closed. */
    static final long TCP_IDLE_WITHOUT_ALLOCATION_MILLIS = 30_000;

    private final TurnHandler handler;
    /** The SFU sharing the client-facing UDP ports (RFC 7983), if any. */
    private volatile org.opencalling.relay.sfu.Sfu sfu;
    private final Allocations allocations;
    private final InetAddress bindAddress;
    private final LongSupplier clock;
    private final Loop[] loops;
    private final Map<Integer, ServerSocketChannel> tcpListeners = new ConcurrentHashMap<>();
    private final Map<Integer, RelaySocket> relays = new ConcurrentHashMap<>();
    private final Map<FiveTuple, TcpConnection> connections = new ConcurrentHashMap<>();
    private final List<String> unbound = new ArrayList<>();
    private final LongAdder sendFailures = new LongAdder();
    private final ThreadLocal<Loop> current = new ThreadLocal<>();
    private volatile boolean running = true;
    private int nextLoop;

    /** What a key stands for. */
    private sealed interface Tag {
    }

    private record UdpListener(int port) implements Tag {
    }

    private record Relayed(int port) implements Tag {
    }

    private record TcpListener(int port) implements Tag {
    }

    /** An allocation's relayed socket and the loop it lives on. */
    private record RelaySocket(DatagramChannel channel, Loop loop) {
    }

    /** Work asked of a loop by other threads, with who waits for it. */
    private record Task(Runnable run, CompletableFuture<?> future) {
    }

    /** One client's TCP connection: its 5-tuple, what it sent that is not a whole frame yet, what waits to be written. */
    private static final class TcpConnection implements Tag {
        final SocketChannel channel;
        final FiveTuple tuple;
        final Loop loop;
        final ByteBuffer input = ByteBuffer.allocate(MAX_FRAME + 4);
        final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
        final long openedAt = System.currentTimeMillis();
        int queued;

        TcpConnection(SocketChannel channel, FiveTuple tuple, Loop loop) {
            this.channel = channel;
            this.tuple = tuple;
            this.loop = loop;
        }
    }

    /** Binds the ports ({@code 0}: any free port) on {@code bindAddress} and starts one event loop. */
    public RelayServer(TurnHandler handler, Allocations allocations, InetAddress bindAddress, List<Integer> udpPorts,
                       List<Integer> tcpPorts, LongSupplier clock) throws IOException {
        this(handler, allocations, bindAddress, udpPorts, tcpPorts, clock, 1);
    }

    /** The same with this many event loops (at least one; the service's default is one). */
    public RelayServer(TurnHandler handler, Allocations allocations, InetAddress bindAddress, List<Integer> udpPorts,
                       List<Integer> tcpPorts, LongSupplier clock, int threads) throws IOException {
        this.handler = handler;
        this.allocations = allocations;
        this.bindAddress = bindAddress;
        this.clock = clock;
        this.loops = new Loop[Math.max(1, threads)];
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new Loop(i);
            }
            // Each port on its own: one that cannot be bound (below 1024 without privilege, in use)
            // is reported in unbound() and the others are served; none at all is an error.
            for (int port : udpPorts) {
                try {
                    bindUdp(port);
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
                    s.register(loops[0].selector, SelectionKey.OP_ACCEPT, new TcpListener(actual));
                } catch (IOException e) {
                    unbound.add("tcp/" + port + " (" + why(port, e) + ")");
                }
            }
            if (udpPorts().isEmpty() && tcpListeners.isEmpty() && !(udpPorts.isEmpty() && tcpPorts.isEmpty())) {
                throw new IOException("none of the relay's ports could be bound: " + unbound);
            }
            Set<Integer> own = new HashSet<>(udpPorts());
            own.addAll(tcpListeners.keySet());
            udpPorts.stream().filter(p -> p > 0).forEach(own::add); // configured ones not bound too
            tcpPorts.stream().filter(p -> p > 0).forEach(own::add);
            handler.ownAddresses(ownAddresses(bindAddress), own, allocations::relayedPort);
        } catch (IOException | RuntimeException e) {
            closeAll();
            throw e;
        }
        allocations.listener(new Allocations.Listener() {
            @Override
            public boolean opened(Allocation a) {
                return openRelay(a.relayPort());
            }

            @Override
            public void closed(Allocation a) {
                closeRelay(a.relayPort(), () -> { });
            }

            @Override
            public void closed(Allocation a, Runnable release) {
                closeRelay(a.relayPort(), release);
            }
        });
        for (Loop l : loops) {
            l.thread.start();
        }
    }

    /** Binds a UDP port once per loop (SO_REUSEPORT when there are several: the kernel spreads clients). */
    private void bindUdp(int port) throws IOException {
        if (port != 0 && loops[0].udp.containsKey(port)) {
            throw new IOException("listed twice");
        }
        List<DatagramChannel> bound = new ArrayList<>();
        try {
            int actual = port;
            if (loops.length > 1) {
                // SO_REUSEPORT would let this bind share a port another process already holds
                // with the same option (and the kernel would split the clients): a plain bind
                // first proves the port free (and picks a free one for port 0).
                try (DatagramChannel probe = DatagramChannel.open()) {
                    probe.bind(new InetSocketAddress(bindAddress, port));
                    actual = ((InetSocketAddress) probe.getLocalAddress()).getPort();
                }
            }
            for (Loop l : loops) {
                DatagramChannel c = DatagramChannel.open();
                bound.add(c);
                if (loops.length > 1) {
                    c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                buffers(c, UDP_RECEIVE_BUFFER);
                c.bind(new InetSocketAddress(bindAddress, actual));
                actual = ((InetSocketAddress) c.getLocalAddress()).getPort(); // port 0: the others join the first's
                c.configureBlocking(false);
                c.register(l.selector, SelectionKey.OP_READ, new UdpListener(actual));
            }
            for (int i = 0; i < loops.length; i++) {
                loops[i].udp.put(actual, bound.get(i));
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : bound) {
                c.close();
            }
            throw e;
        }
    }

    /** ChannelData or a Data indication: what may be dropped when a TCP client falls behind. */
    private static boolean relayedMedia(byte[] frame) {
        return (frame[0] & 0xC0) == 0x40 || (frame.length > 1 && frame[0] == 0x00 && frame[1] == 0x17);
    }

    private static void buffers(DatagramChannel c, int receive) throws IOException {
        c.setOption(StandardSocketOptions.SO_RCVBUF, receive);
        c.setOption(StandardSocketOptions.SO_SNDBUF, UDP_SEND_BUFFER);
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
        return new ArrayList<>(loops[0].udp.keySet());
    }

    /** The client-facing TCP ports actually bound. */
    public List<Integer> tcpPorts() {
        return new ArrayList<>(tcpListeners.keySet());
    }

    /** How many event loops (threads) serve the relay. */
    public int threads() {
        return loops.length;
    }

    /** The addresses the listeners answer on: the bind address, or every local one for a wildcard. */
    private static Set<InetAddress> ownAddresses(InetAddress bindAddress) throws IOException {
        Set<InetAddress> own = new HashSet<>();
        own.add(bindAddress);
        if (bindAddress.isAnyLocalAddress()) {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(ni.getInetAddresses()));
            }
        }
        return own;
    }

    /** Runs {@code task} on the first loop (the one that also sweeps expiries) and completes with its result. */
    public <T> CompletableFuture<T> onLoop(Supplier<T> task) {
        return loops[0].submit(task);
    }

    /**
     * Ends these allocations now (a TCP one's connection too); completes with how many it ended,
     * once their relayed ports are free again (every loop has run what the ending queued on it).
     */
    public CompletableFuture<Integer> end(Collection<Allocation> which) {
        return endOnLoop(which).thenCompose(n -> {
            List<CompletableFuture<Object>> settled = new ArrayList<>();
            for (Loop l : loops) {
                settled.add(l.submit(() -> null));
            }
            return CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).thenApply(x -> n);
        });
    }

    private CompletableFuture<Integer> endOnLoop(Collection<Allocation> which) {
        return onLoop(() -> {
            int n = 0;
            for (Allocation a : which) {
                if (allocations.remove(a, Allocations.End.ADMIN)) {
                    n++;
                    TcpConnection c = a.tuple().transport() == FiveTuple.Transport.TCP ? connections.get(a.tuple()) : null;
                    if (c != null) {
                        c.loop.run(() -> c.loop.drop(c));
                    }
                }
            }
            return n;
        });
    }

    /** Opens an allocation's relayed socket on the loop handling its Allocate. */
    private boolean openRelay(int port) {
        Loop l = current.get() != null ? current.get() : loops[0];
        DatagramChannel c = null;
        try {
            c = DatagramChannel.open();
            buffers(c, RELAYED_RECEIVE_BUFFER);
            c.bind(new InetSocketAddress(bindAddress, port));
            c.configureBlocking(false);
            c.register(l.selector, SelectionKey.OP_READ, new Relayed(port));
            relays.put(port, new RelaySocket(c, l));
            return true;
        } catch (IOException | RuntimeException e) { // (RuntimeException: the relay is stopping)
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

    /**
     * Closes an allocation's relayed socket. Its port is free only after the owning loop's next
     * selection: on that loop this happens now; from another loop (the expiry sweep, the admin
     * API) the owning loop does it, and only then is the port given back to the pool (else a new
     * Allocate could meet it still bound).
     */
    private void closeRelay(int port, Runnable release) {
        RelaySocket r = relays.remove(port);
        if (r == null) {
            release.run();
            return;
        }
        try {
            r.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (current.get() == r.loop) {
            selectNow(r.loop);
            release.run();
        } else {
            r.loop.submit(() -> {
                selectNow(r.loop);
                release.run();
                return null;
            }).exceptionally(e -> {
                release.run(); // the relay is stopping: nothing will bind it again anyway
                return null;
            });
        }
    }

    private static void selectNow(Loop l) {
        try {
            l.selector.selectNow();
        } catch (IOException | RuntimeException ignored) {
            // a closed selector: the relay is stopping
        }
    }

    /**
     * Whether a datagram comes from one of our own relayed sockets (an allocation whose peer is
     * our SFU): a port we hold as a relayed socket, on one of our addresses. (Not the relayed
     * range: a local client's ephemeral port may fall in it.)
     */
    private boolean ownRelayed(InetSocketAddress from) {
        return relays.containsKey(from.getPort()) && handler.ownAddress(from.getAddress());
    }

    /** Lets an SFU take its datagrams (ICE checks for its credentials, DTLS, SRTP) on the UDP ports. */
    public void attach(org.opencalling.relay.sfu.Sfu sfu) {
        this.sfu = sfu;
    }

    /**
     * Sends a datagram to a client from one of our client-facing UDP ports, from any thread (the
     * SFU's forwarding, DTLS and timers). A full socket buffer drops it, counted.
     */
    public void sendUdp(FiveTuple to, byte[] datagram) {
        DatagramChannel c = current.get() != null ? current.get().udp.get(to.server().getPort())
                : loops[0].udp.get(to.server().getPort());
        try {
            if (c == null || c.send(ByteBuffer.wrap(datagram), to.client()) == 0) {
                sendFailures.increment();
            }
        } catch (IOException | RuntimeException e) {
            sendFailures.increment();
        }
    }

    /** Packets that could not be sent (peer unreachable and the like), for the metrics. */
    public long sendFailures() {
        return sendFailures.sum();
    }

    /** One event loop: a thread, its selector, its copy of each UDP port, its buffers. */
    private final class Loop implements Runnable {
        final int index;
        final Selector selector;
        final Thread thread;
        final Map<Integer, DatagramChannel> udp = new HashMap<>();
        final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
        final ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        final byte[] packet = new byte[MAX_DATAGRAM];
        long nextSweep;

        Loop(int index) throws IOException {
            this.index = index;
            this.selector = Selector.open();
            this.thread = new Thread(this, "turn-relay-" + index);
            thread.setDaemon(true);
        }

        <T> CompletableFuture<T> submit(Supplier<T> task) {
            CompletableFuture<T> f = new CompletableFuture<>();
            if (!running) {
                f.completeExceptionally(new IllegalStateException("the relay is stopped"));
                return f;
            }
            tasks.add(new Task(() -> {
                try {
                    f.complete(task.get());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, f));
            selector.wakeup();
            if (!running) {
                failPending(); // stopped meanwhile: nobody else will take it
            }
            return f;
        }

        /** Runs now if on this loop, else soon on it. */
        void run(Runnable r) {
            if (current.get() == this) {
                r.run();
            } else {
                submit(() -> {
                    r.run();
                    return null;
                });
            }
        }

        void failPending() {
            for (Task t; (t = tasks.poll()) != null; ) {
                t.future().completeExceptionally(new IllegalStateException("the relay is stopped"));
            }
        }

        @Override
        public void run() {
            current.set(this);
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
                    if (now >= nextSweep) {
                        nextSweep = now + 1000; // first: a sweep that fails is not retried at once
                        if (index == 0) {
                            allocations.expire(now);
                        }
                        closeIdleConnections();
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

        /** Accepts on the first loop and spreads the connections over all loops. */
        private void accept(ServerSocketChannel server, int port) throws IOException {
            SocketChannel s;
            while ((s = server.accept()) != null) {
                if (connections.size() >= MAX_TCP_CONNECTIONS) {
                    s.close();
                    continue;
                }
                FiveTuple tuple;
                try {
                    s.configureBlocking(false);
                    s.socket().setTcpNoDelay(true);
                    tuple = new FiveTuple((InetSocketAddress) s.getRemoteAddress(),
                            new InetSocketAddress(bindAddress, port), FiveTuple.Transport.TCP);
                } catch (IOException | RuntimeException e) {
                    s.close(); // gone already: nothing to serve
                    continue;
                }
                Loop target = loops[nextLoop];
                nextLoop = (nextLoop + 1) % loops.length;
                TcpConnection c = new TcpConnection(s, tuple, target);
                connections.put(tuple, c);
                SocketChannel accepted = s;
                target.run(() -> {
                    try {
                        accepted.register(target.selector, SelectionKey.OP_READ, c);
                    } catch (IOException e) {
                        target.drop(c);
                    }
                });
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
                List<TurnHandler.Output> out;
                if (tag instanceof UdpListener l) {
                    FiveTuple tuple = new FiveTuple(sender, new InetSocketAddress(bindAddress, l.port()), FiveTuple.Transport.UDP);
                    org.opencalling.relay.sfu.Sfu s = sfu;
                    out = s == null ? null : s.fromClient(tuple, packet, 0, len, now);
                    if (out == null) {
                        // From one of our own relayed ports only the SFU may be reached: TURN would loop.
                        out = ownRelayed(sender) ? List.of() : handler.fromClient(tuple, packet, 0, len, now);
                    }
                } else {
                    out = handler.fromPeer(((Relayed) tag).port(), sender, packet, 0, len, now);
                }
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
                int p = c.input.position();
                byte[] buf = c.input.array();
                int frame = StreamFraming.frameLength(buf, p, available);
                if (frame == StreamFraming.UNFRAMEABLE) {
                    drop(c); // neither STUN nor ChannelData: the stream cannot be resynchronised
                    return;
                }
                if (frame == StreamFraming.NEED_MORE) {
                    break;
                }
                List<TurnHandler.Output> out = handler.fromClient(c.tuple, buf, p,
                        StreamFraming.messageLength(buf, p, frame), clock.getAsLong());
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
                if (o instanceof TurnHandler.ToClient t) {
                    if (t.tuple().transport() == FiveTuple.Transport.TCP) {
                        TcpConnection c = connections.get(t.tuple());
                        if (c != null) {
                            c.loop.run(() -> c.loop.write(c, t.bytes()));
                        }
                        return;
                    }
                    DatagramChannel c = udp.get(t.tuple().server().getPort());
                    if (c != null && c.send(ByteBuffer.wrap(t.bytes()), t.tuple().client()) == 0) {
                        sendFailures.increment(); // the socket's buffer is full: dropped
                    }
                } else if (o instanceof TurnHandler.ToPeer p) {
                    RelaySocket r = relays.get(p.relayPort());
                    if (r != null && r.channel.send(ByteBuffer.wrap(p.data()), p.peer()) == 0) {
                        sendFailures.increment();
                    }
                }
            } catch (IOException | RuntimeException e) {
                sendFailures.increment();
            }
        }

        /**
         * Writes now what the socket takes and queues the rest: beyond a soft limit relayed media
         * is dropped (a slow link loses packets, as over UDP), beyond a hard one the client, which
         * then does not read at all, is dropped.
         */
        private void write(TcpConnection c, byte[] bytes) {
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                if (c.output.isEmpty()) {
                    c.channel.write(b);
                    if (!b.hasRemaining()) {
                        return;
                    }
                }
                if (c.queued > TCP_SOFT_QUEUE && relayedMedia(bytes)) {
                    sendFailures.increment(); // a slow link: media can lose a packet, the call goes on
                    return;
                }
                c.output.add(b);
                c.queued += b.remaining();
                if (c.queued > TCP_HARD_QUEUE) {
                    drop(c); // not reading at all: let it go
                    return;
                }
                SelectionKey k = c.channel.keyFor(selector);
                if (k != null) {
                    k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            } catch (IOException | RuntimeException e) {
                sendFailures.increment();
                drop(c);
            }
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

        /** This loop's TCP connections that never made an allocation within their time: closed (they cost a buffer each). */
        private void closeIdleConnections() {
            long limit = System.currentTimeMillis() - TCP_IDLE_WITHOUT_ALLOCATION_MILLIS;
            for (TcpConnection c : List.copyOf(connections.values())) {
                if (c.loop == this && c.openedAt < limit && allocations.of(c.tuple) == null) {
                    drop(c);
                }
            }
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
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (Loop l : loops) {
            if (l != null) {
                l.selector.wakeup();
            }
        }
        for (Loop l : loops) {
            try {
                if (l != null && l.thread.isAlive()) {
                    l.thread.join(2000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeAll();
        for (Loop l : loops) {
            if (l != null) {
                l.failPending();
            }
        }
    }

    /** Closes every socket and selector; one that fails to close does not keep the others open. */
    private void closeAll() throws IOException {
        List<java.io.Closeable> all = new ArrayList<>();
        for (Loop l : loops) {
            if (l != null) {
                all.addAll(l.udp.values());
            }
        }
        all.addAll(tcpListeners.values());
        connections.values().forEach(c -> all.add(c.channel));
        relays.values().forEach(r -> all.add(r.channel));
        for (Loop l : loops) {
            if (l != null) {
                all.add(l.selector);
            }
        }
        IOException first = null;
        for (java.io.Closeable c : all) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

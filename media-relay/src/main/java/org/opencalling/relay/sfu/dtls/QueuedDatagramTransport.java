package org.opencalling.relay.sfu.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.bouncycastle.tls.DatagramTransport;

/**
 * The datagram side of one participant's DTLS session for bctls: received datagrams come from a
 * bounded queue filled by the network thread ({@link #enqueue}, never blocks), sent ones go
 * straight to a callback.
 *
 * <p>Two receive modes. <em>Blocking</em> (the handshake): {@link #receive} waits on the queue up
 * to bctls's {@code waitMillis} and returns -1 on a timeout, so bctls's retransmission timers run.
 * <em>Draining</em> (after the handshake): {@link #receive} never waits; an empty queue throws a
 * plain {@link InterruptedIOException}, which bctls passes up through
 * {@code DTLSTransport.receive} without failing the connection, so a drain pass on a pool thread
 * processes what is queued and returns at once.
 *
 * <p>{@link #close} (called by bctls once the session ends, or by the owner) wakes a waiting
 * receiver, empties the queue and runs the close callback once.
 */
final class QueuedDatagramTransport implements DatagramTransport {

    private final int capacity;
    private final int receiveLimit;
    private final int sendLimit;
    private final Consumer<byte[]> sender;
    private final Runnable onClose;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<byte[]> queue;
    private boolean closed; // guarded by lock
    private volatile boolean closedFlag;
    private volatile boolean draining;

    QueuedDatagramTransport(int capacity, int receiveLimit, int sendLimit, Consumer<byte[]> sender,
            Runnable onClose) {
        this.capacity = capacity;
        this.receiveLimit = receiveLimit;
        this.sendLimit = sendLimit;
        this.sender = sender;
        this.onClose = onClose;
        this.queue = new ArrayDeque<>(capacity);
    }

    /** Queues a received datagram; false if the queue is full or the transport closed. */
    boolean enqueue(byte[] datagram) {
        lock.lock();
        try {
            if (closed || queue.size() >= capacity) {
                return false;
            }
            queue.addLast(datagram);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean hasQueued() {
        lock.lock();
        try {
            return !queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Switches {@link #receive} to never wait (the post-handshake mode). */
    void startDraining() {
        draining = true;
    }

    boolean isClosed() {
        return closedFlag;
    }

    @Override
    public int getReceiveLimit() {
        return receiveLimit;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        byte[] datagram;
        lock.lock();
        try {
            if (draining) {
                datagram = closed ? null : queue.pollFirst();
                if (datagram == null) {
                    // not a SocketTimeoutException: bctls returns on this one instead of looping
                    throw new InterruptedIOException("no queued datagram");
                }
            } else {
                // waitMillis == 0 means no limit (as for a socket); close() wakes us
                long nanos = waitMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(waitMillis) : Long.MAX_VALUE;
                while (true) {
                    if (closed) {
                        throw new IOException("DTLS transport closed");
                    }
                    datagram = queue.pollFirst();
                    if (datagram != null) {
                        break;
                    }
                    if (nanos <= 0) {
                        return -1; // timed out: bctls checks its retransmit and handshake timers
                    }
                    try {
                        nanos = notEmpty.awaitNanos(nanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for a datagram");
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        try {
            sender.accept(copy);
        } catch (RuntimeException e) {
            // a failed UDP send is a lost datagram: DTLS retransmission copes with it
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closedFlag = true;
            queue.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        onClose.run();
    }
}

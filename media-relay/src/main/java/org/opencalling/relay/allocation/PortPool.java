package org.opencalling.relay.allocation;

import java.util.BitSet;

/**
 * The relayed ports an allocation can get, from a configured range. Taken round-robin, so a
 * port just released is the last to be given again (a late packet for the old allocation does
 * not reach a new one).
 */
public final class PortPool {
    private final int min;
    private final int size;
    private final BitSet used;
    private int cursor;
    private int inUse;

    public PortPool(int min, int max) {
        if (min < 1 || max > 65535 || min > max) {
            throw new IllegalArgumentException("a port range is 1-65535, min <= max: " + min + "-" + max);
        }
        this.min = min;
        this.size = max - min + 1;
        this.used = new BitSet(size);
    }

    /** A free port, or -1 when all are taken (answered 508). */
    public synchronized int take() {
        if (inUse == size) {
            return -1;
        }
        int i = used.nextClearBit(cursor);
        if (i >= size) {
            i = used.nextClearBit(0);
        }
        used.set(i);
        inUse++;
        cursor = (i + 1) % size;
        return min + i;
    }

    /**
     * An even port (EVEN-PORT, RFC 8656 §14.6); with {@code andNext}, one whose next port is free
     * too, both taken (the next one is then reserved for a RESERVATION-TOKEN). -1 when none.
     */
    public synchronized int takeEven(boolean andNext) {
        for (int n = 0; n < size; n++) {
            int i = (cursor + n) % size;
            int port = min + i;
            if ((port & 1) != 0 || used.get(i) || (andNext && (i + 1 >= size || used.get(i + 1)))) {
                continue;
            }
            used.set(i);
            inUse++;
            if (andNext) {
                used.set(i + 1);
                inUse++;
            }
            cursor = (i + (andNext ? 2 : 1)) % size;
            return port;
        }
        return -1;
    }

    /** Takes this very port if free (EVEN-PORT's reservation, a configured port), else false. */
    public synchronized boolean take(int port) {
        int i = port - min;
        if (i < 0 || i >= size || used.get(i)) {
            return false;
        }
        used.set(i);
        inUse++;
        return true;
    }

    public synchronized void release(int port) {
        int i = port - min;
        if (i >= 0 && i < size && used.get(i)) {
            used.clear(i);
            inUse--;
        }
    }

    public synchronized int inUse() {
        return inUse;
    }

    /** Whether the port is in this range (taken or not). */
    public boolean contains(int port) {
        return port >= min && port < min + size;
    }

    public int size() {
        return size;
    }
}

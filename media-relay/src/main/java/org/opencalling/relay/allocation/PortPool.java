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

    public int size() {
        return size;
    }
}

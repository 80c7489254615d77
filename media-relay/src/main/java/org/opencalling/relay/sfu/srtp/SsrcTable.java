package org.opencalling.relay.sfu.srtp;

/**
 * A small open-addressing map from SSRC to per-stream state, avoiding boxing on the per-packet path.
 * Entries are never removed. Not thread-safe; guarded by the owning session.
 */
final class SsrcTable<T> {
    private int[] keys = new int[8];
    private Object[] values = new Object[8];
    private int count;

    int size() {
        return count;
    }

    @SuppressWarnings("unchecked")
    T get(int ssrc) {
        int m = keys.length - 1;
        for (int i = hash(ssrc) & m; values[i] != null; i = (i + 1) & m) {
            if (keys[i] == ssrc) {
                return (T) values[i];
            }
        }
        return null;
    }

    void put(int ssrc, T value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        if ((count + 1) * 2 > keys.length) {
            grow();
        }
        if (insert(keys, values, ssrc, value)) {
            count++;
        }
    }

    private static boolean insert(int[] ks, Object[] vs, int ssrc, Object value) {
        int m = ks.length - 1;
        int i = hash(ssrc) & m;
        while (vs[i] != null) {
            if (ks[i] == ssrc) {
                vs[i] = value;
                return false;
            }
            i = (i + 1) & m;
        }
        ks[i] = ssrc;
        vs[i] = value;
        return true;
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                insert(keys, values, oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int hash(int ssrc) {
        int h = ssrc * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

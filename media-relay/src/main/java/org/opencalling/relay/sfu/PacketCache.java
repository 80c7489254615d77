package org.opencalling.relay.sfu;

/**
 * The last packets of one video stream sent to one browser, by sequence number, so its NACK is
 * answered by the SFU instead of the sender, who is a whole round trip further away.
 */
final class PacketCache {
    private static final int SIZE = 512;
    private final byte[][] packets = new byte[SIZE][];
    private final int[] sequences = new int[SIZE];

    synchronized void put(int sequence, byte[] packet) {
        int i = sequence & (SIZE - 1);
        packets[i] = packet;
        sequences[i] = sequence;
    }

    synchronized byte[] get(int sequence) {
        int i = sequence & (SIZE - 1);
        return packets[i] != null && sequences[i] == sequence ? packets[i] : null;
    }
}

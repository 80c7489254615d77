package org.opencalling.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS values (RFC 8489 §14.2): the
 * port XOR'ed with the cookie's top half, the address with the cookie (IPv4) or the cookie and
 * the transaction id (IPv6).
 */
public final class XorAddress {
    public static final int IPV4 = 0x01;
    public static final int IPV6 = 0x02;

    private XorAddress() {
    }

    public static byte[] encode(InetSocketAddress address, byte[] transactionId) {
        byte[] ip = address.getAddress().getAddress();
        byte[] out = new byte[4 + ip.length];
        out[1] = (byte) (ip.length == 4 ? IPV4 : IPV6);
        int port = address.getPort() ^ (StunTypes.MAGIC_COOKIE >>> 16);
        out[2] = (byte) (port >>> 8);
        out[3] = (byte) port;
        byte[] pad = pad(transactionId);
        for (int i = 0; i < ip.length; i++) {
            out[4 + i] = (byte) (ip[i] ^ pad[i]);
        }
        return out;
    }

    /** The address, or null when the value is malformed (wrong family or length). */
    public static InetSocketAddress decode(byte[] value, byte[] transactionId) {
        if (value.length < 4) {
            return null;
        }
        int family = value[1] & 0xFF;
        int size = family == IPV4 ? 4 : family == IPV6 ? 16 : -1;
        if (size < 0 || value.length != 4 + size) {
            return null;
        }
        int port = (((value[2] & 0xFF) << 8) | (value[3] & 0xFF)) ^ (StunTypes.MAGIC_COOKIE >>> 16);
        byte[] pad = pad(transactionId);
        byte[] ip = new byte[size];
        for (int i = 0; i < size; i++) {
            ip[i] = (byte) (value[4 + i] ^ pad[i]);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    private static byte[] pad(byte[] transactionId) {
        byte[] pad = new byte[16];
        pad[0] = (byte) (StunTypes.MAGIC_COOKIE >>> 24);
        pad[1] = (byte) (StunTypes.MAGIC_COOKIE >>> 16);
        pad[2] = (byte) (StunTypes.MAGIC_COOKIE >>> 8);
        pad[3] = (byte) StunTypes.MAGIC_COOKIE;
        System.arraycopy(transactionId, 0, pad, 4, 12);
        return pad;
    }
}

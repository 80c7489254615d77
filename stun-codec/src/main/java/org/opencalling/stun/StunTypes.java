package org.opencalling.stun;

/**
 * Message types (method and class, RFC 8489 §5) and attribute types (RFC 8489 §18.3, RFC 8656
 * §18, RFC 8445 §16) this codec knows by name.
 */
public final class StunTypes {
    private StunTypes() {
    }

    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER_LENGTH = 20;

    // Methods
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    // Classes
    public static final int REQUEST = 0b00;
    public static final int INDICATION = 0b01;
    public static final int SUCCESS = 0b10;
    public static final int ERROR = 0b11;

    // Attributes: comprehension-required (below 0x8000)
    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int DATA_ATTR = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    public static final int EVEN_PORT = 0x0018;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int DONT_FRAGMENT = 0x001A;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int RESERVATION_TOKEN = 0x0022;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    // comprehension-optional (0x8000 and above)
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    public static final int ALTERNATE_DOMAIN = 0x8003;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;

    /** The 14-bit message type of a method and class (the class bits are spread, RFC 8489 §5). */
    public static int type(int method, int cls) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((cls & 0b01) << 4) | ((cls & 0b10) << 7);
    }

    public static int method(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    public static int cls(int type) {
        return ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
    }

    /** Attributes a receiver must understand (RFC 8489 §14): 0x0000–0x7FFF. */
    public static boolean comprehensionRequired(int attributeType) {
        return attributeType < 0x8000;
    }
}

package org.opencalling.stun;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A decoded (or built) STUN message. {@code raw} is the exact bytes it was read from (null
 * when built and not yet encoded): MESSAGE-INTEGRITY and FINGERPRINT are checked over them.
 */
public final class StunMessage {
    private final int type;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes;
    private final byte[] raw;

    StunMessage(int type, byte[] transactionId, List<StunAttribute> attributes, byte[] raw) {
        this.type = type;
        this.transactionId = transactionId.clone();
        this.attributes = Collections.unmodifiableList(new ArrayList<>(attributes));
        this.raw = raw;
    }

    public int type() {
        return type;
    }

    public int method() {
        return StunTypes.method(type);
    }

    public int messageClass() {
        return StunTypes.cls(type);
    }

    public byte[] transactionId() {
        return transactionId.clone();
    }

    public List<StunAttribute> attributes() {
        return attributes;
    }

    /** The first attribute of this type. */
    public Optional<StunAttribute> get(int attributeType) {
        for (StunAttribute a : attributes) {
            if (a.type() == attributeType) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public boolean has(int attributeType) {
        return get(attributeType).isPresent();
    }

    byte[] raw() {
        return raw;
    }

    /** The comprehension-required attributes this codec does not know (for a 420 answer). */
    public List<Integer> unknownRequired(java.util.Set<Integer> known) {
        List<Integer> out = new ArrayList<>();
        for (StunAttribute a : attributes) {
            if (StunTypes.comprehensionRequired(a.type()) && !known.contains(a.type()) && !out.contains(a.type())) {
                out.add(a.type());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format("STUN(method=0x%03X, class=%d, %s)", method(), messageClass(), attributes);
    }
}

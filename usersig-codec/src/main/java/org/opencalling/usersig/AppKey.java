package org.opencalling.usersig;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One application's secret key. Holds a keyed HMAC-SHA256 per thread so the hot path neither
 * looks up a provider nor re-derives the key for every ticket.
 */
public final class AppKey {
    private final long sdkAppId;
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> mac;

    public AppKey(long sdkAppId, String secretKey) {
        if (!SdkAppIds.isValid(sdkAppId)) {
            throw new IllegalArgumentException("SDKAppID must be a positive number of at most "
                    + SdkAppIds.MAX_DIGITS + " digits: " + sdkAppId);
        }
        if (secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("secret key of SDKAppID " + sdkAppId + " is empty");
        }
        this.sdkAppId = sdkAppId;
        // Tencent keys the HMAC with the secret key's UTF-8 text, not with hex-decoded bytes.
        this.key = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(this::newMac);
        newMac(); // fail now, not on first use, if the JVM lacks HmacSHA256
    }

    public long sdkAppId() {
        return sdkAppId;
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Base64 (standard, padded) HMAC over the content Tencent signs. */
    String sign(String identifier, long time, long expire, String userBuf) {
        StringBuilder content = new StringBuilder(96 + identifier.length()
                + (userBuf == null ? 0 : userBuf.length() + 13));
        content.append("TLS.identifier:").append(identifier)
                .append("\nTLS.sdkappid:").append(sdkAppId)
                .append("\nTLS.time:").append(time)
                .append("\nTLS.expire:").append(expire).append('\n');
        if (userBuf != null) {
            content.append("TLS.userbuf:").append(userBuf).append('\n');
        }
        byte[] digest = mac.get().doFinal(content.toString().getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(digest);
    }

    @Override
    public String toString() {
        return "AppKey[" + sdkAppId + ", secret hidden]"; // never print the secret
    }
}

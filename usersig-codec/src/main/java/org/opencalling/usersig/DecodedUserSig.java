package org.opencalling.usersig;

/**
 * The fields inside a UserSig, as Tencent's TLS-sig API v2 writes them.
 *
 * @param userBuf base64 text of the optional userbuf, exactly as carried (it is signed as text),
 *                or {@code null} when absent
 * @param sig     base64 of the HMAC-SHA256
 */
public record DecodedUserSig(String identifier, long sdkAppId, long time, long expire,
                             String userBuf, String sig) {

    /** Epoch second after which the ticket is expired (valid while {@code now <= expireAt}). */
    public long expireAt() {
        return time + expire;
    }
}

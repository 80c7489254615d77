package org.opencalling.usersig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Tencent's URL-safe base64 variant: standard base64 with {@code +}→{@code *},
 * {@code /}→{@code -}, {@code =}→{@code _}.
 */
final class SigBase64 {
    private static final byte[] DECODE = new byte[128];

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = (byte) i;
        }
    }

    private SigBase64() {
    }

    static String encode(byte[] data, int len) {
        byte[] out = Base64.getEncoder().encode(len == data.length ? data : java.util.Arrays.copyOf(data, len));
        for (int i = 0; i < out.length; i++) {
            switch (out[i]) {
                case '+' -> out[i] = '*';
                case '/' -> out[i] = '-';
                case '=' -> out[i] = '_';
                default -> { }
            }
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Decodes; returns {@code null} for any character or length outside the variant. */
    static byte[] decode(CharSequence s) {
        int n = s.length();
        int pad = 0;
        while (pad < 2 && n - pad > 0 && s.charAt(n - pad - 1) == '_') {
            pad++;
        }
        int data = n - pad;
        // Canonical form only, as Tencent's encoders write it: padded to whole 4-character groups.
        if (n % 4 != 0 || data % 4 == 1) {
            return null;
        }
        byte[] out = new byte[data * 3 / 4];
        int acc = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < data; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? DECODE[c] : -1;
            if (v < 0) {
                return null;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >> bits);
            }
        }
        // Leftover bits must be zero (canonical encoding): otherwise two texts decode alike.
        if ((acc & ((1 << bits) - 1)) != 0) {
            return null;
        }
        return out;
    }
}

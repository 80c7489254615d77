package org.opencalling.usersig;

import java.util.HashMap;
import java.util.Map;

/**
 * A strict, bounded reader for the small JSON object inside a UserSig. Top-level members with
 * string or integer values are kept; other values are checked and skipped. Any syntax error
 * yields {@code null} (an error value, never an exception), so a hostile ticket costs one pass.
 */
final class FlatJson {
    private static final int MAX_DEPTH = 8;
    private static final int MAX_MEMBERS = 32;

    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    /** Values are {@link String} or {@link Long}; {@code null} means malformed. */
    static Map<String, Object> parseObject(String text) {
        FlatJson p = new FlatJson(text);
        try {
            Map<String, Object> m = p.object();
            p.ws();
            return m != null && p.i == p.s.length() ? m : null;
        } catch (Fail e) {
            return null;
        }
    }

    /** Thrown only inside this class and always caught: a cheap, stackless unwind. */
    private static final class Fail extends RuntimeException {
        private static final Fail INSTANCE = new Fail();

        private Fail() {
            super(null, null, false, false);
        }
    }

    private Map<String, Object> object() {
        ws();
        expect('{');
        Map<String, Object> m = new HashMap<>(16);
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            String key = string();
            ws();
            expect(':');
            ws();
            Object v = value(1);
            if (m.put(key, v) != null || m.size() > MAX_MEMBERS) {
                throw Fail.INSTANCE; // duplicate keys are ambiguous in a signed ticket
            }
            ws();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw Fail.INSTANCE;
            }
        }
    }

    /** Returns String or Long for scalars this reader keeps; a marker for skipped values. */
    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw Fail.INSTANCE;
        }
        char c = peek();
        switch (c) {
            case '"':
                return string();
            case '{':
                skipContainer('{', '}', depth);
                return Skipped.OBJECT;
            case '[':
                skipContainer('[', ']', depth);
                return Skipped.ARRAY;
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return Skipped.NULL;
            default:
                return number();
        }
    }

    enum Skipped { OBJECT, ARRAY, NULL, FRACTION }

    private void skipContainer(char open, char close, int depth) {
        expect(open);
        ws();
        if (peek() == close) {
            i++;
            return;
        }
        while (true) {
            ws();
            if (open == '{') {
                string();
                ws();
                expect(':');
                ws();
            }
            value(depth + 1);
            ws();
            char c = next();
            if (c == close) {
                return;
            }
            if (c != ',') {
                throw Fail.INSTANCE;
            }
        }
    }

    private Object number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digitsStart = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        int digits = i - digitsStart;
        if (digits == 0 || (digits > 1 && s.charAt(digitsStart) == '0')) {
            throw Fail.INSTANCE;
        }
        boolean integral = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integral = false;
            i++;
            int f = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == f) {
                throw Fail.INSTANCE;
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integral = false;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int e = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == e) {
                throw Fail.INSTANCE;
            }
        }
        if (!integral || digits > 18) {
            return Skipped.FRACTION; // not a value a UserSig field can hold
        }
        return Long.parseLong(s, start, i, 10);
    }

    private String string() {
        expect('"');
        StringBuilder b = null;
        int runStart = i;
        while (true) {
            if (i >= s.length()) {
                throw Fail.INSTANCE;
            }
            char c = s.charAt(i);
            if (c == '"') {
                String out = b == null ? s.substring(runStart, i) : b.append(s, runStart, i).toString();
                i++;
                return out;
            }
            if (c < 0x20) {
                throw Fail.INSTANCE;
            }
            if (c == '\\') {
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, runStart, i);
                i++;
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw Fail.INSTANCE;
                        }
                        int cp = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(i + k), 16);
                            if (d < 0) {
                                throw Fail.INSTANCE;
                            }
                            cp = cp * 16 + d;
                        }
                        i += 4;
                        b.append((char) cp);
                    }
                    default -> throw Fail.INSTANCE;
                }
                runStart = i;
                continue;
            }
            i++;
        }
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) {
            throw Fail.INSTANCE;
        }
        i += word.length();
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw Fail.INSTANCE;
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw Fail.INSTANCE;
        }
    }
}

package org.opencalling.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Secrets inline or from a mounted file (TURN_SECRET / TURN_SECRET_FILE and the like). */
class ConfigFilesTest {
    @Test
    void aSecretComesInlineOrFromItsFileWithoutTheTrailingLineBreak() throws Exception {
        Path file = Files.createTempFile("secret", ".txt");
        Files.writeString(file, "s3cret$with{braces}\n");
        System.setProperty("cfgtest.fromfile.file", file.toString());
        System.setProperty("cfgtest.inline", "inline-wins");
        System.setProperty("cfgtest.inline.file", file.toString());
        System.setProperty("cfgtest.missing.file", file.resolveSibling("no-such-file").toString());
        assertEquals(Optional.of("s3cret$with{braces}"), ConfigFiles.secret("cfgtest.fromfile", "FROMFILE"));
        assertEquals(Optional.of("inline-wins"), ConfigFiles.secret("cfgtest.inline", "INLINE"));
        assertEquals(Optional.empty(), ConfigFiles.secret("cfgtest.nothing", "NOTHING"));
        // turn.secret=${TURN_SECRET:} in a properties file, TURN_SECRET unset: the file's secret, not the text.
        System.setProperty("cfgtest.expr", "${CFGTEST_UNSET_VARIABLE:}");
        System.setProperty("cfgtest.expr.file", file.toString());
        assertEquals(Optional.of("s3cret$with{braces}"), ConfigFiles.secret("cfgtest.expr", "EXPR"));
        try {
            ConfigFiles.secret("cfgtest.missing", "MISSING");
            throw new AssertionError("an unreadable file must fail");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().startsWith("MISSING_FILE="), e.getMessage());
        }
    }
}

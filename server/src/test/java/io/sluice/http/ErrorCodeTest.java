package io.sluice.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue is the one list of codes: every code written in main code is in it, with the same status. */
class ErrorCodeTest {
    // new ApiException(503, "x", ...), new UpstreamException(502, "x", ...), badRequest("x", ...), unavailable("x", ...)
    private static final Pattern WITH_STATUS = Pattern.compile("new (?:Api|Upstream)Exception\\((\\d{3}), \"([a-z_]+)\"");
    private static final Pattern BAD_REQUEST = Pattern.compile("badRequest\\(\"([a-z_]+)\"");
    private static final Pattern UNAVAILABLE = Pattern.compile("unavailable\\(\"([a-z_]+)\"");

    @Test
    void codesAreUniqueAndTypesAreOpenAis() {
        Set<String> seen = new HashSet<>();
        Set<String> types = Set.of("invalid_request_error", "authentication_error", "permission_error",
                                   "rate_limit_error", "server_error", "insufficient_quota");
        for (ErrorCode c : ErrorCode.values()) {
            assertTrue(seen.add(c.code()), "duplicate code " + c.code());
            assertTrue(c.code().matches("[a-z_]+"), c.code());
            assertTrue(types.contains(c.type()), c + " " + c.type());
            assertEquals(c, ErrorCode.of(c.code()).orElseThrow());
        }
        assertEquals("invalid_request_error", ErrorCode.MODEL_NOT_FOUND.type());   // what OpenAI answers
        assertEquals("authentication_error", ErrorCode.INVALID_API_KEY.type());
        assertEquals("rate_limit_error", ErrorCode.RATE_LIMIT_EXCEEDED.type());
        assertEquals("server_error", ErrorCode.OVERLOADED.type());
        assertEquals("insufficient_quota", ErrorCode.INSUFFICIENT_QUOTA.type());   // OpenAI's type for a spent quota is its code
    }

    /** README's catalogue table is generated from the enum; a code added or changed here must show there. */
    @Test
    void readmeListsEveryCodeWithItsStatus() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        for (ErrorCode c : ErrorCode.values()) {
            String row = "| `" + c.code() + "` | " + c.status() + " | `" + c.type() + "` |";
            if (!readme.contains(row)) {
                missing.add(row);
            }
        }
        assertTrue(missing.isEmpty(), "README.md's error-code table lacks:\n" + String.join("\n", missing));
    }

    @Test
    void everyCodeWrittenInMainCodeIsCatalogued() throws IOException {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("server/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                check(f, src, WITH_STATUS, problems, true);
                check(f, src, BAD_REQUEST, problems, false);
                check(f, src, UNAVAILABLE, problems, false);
            }
        }
        assertTrue(problems.isEmpty(), "codes missing from ErrorCode or with another status:\n" + String.join("\n", problems));
    }

    private static void check(Path f, String src, Pattern p, List<String> problems, boolean hasStatus) {
        Matcher m = p.matcher(src);
        while (m.find()) {
            String code = hasStatus ? m.group(2) : m.group(1);
            int status = hasStatus ? Integer.parseInt(m.group(1)) : p == BAD_REQUEST ? 400 : 503;
            var known = ErrorCode.of(code);
            if (known.isEmpty() || known.get().status() != status) {
                problems.add(f.getFileName() + ": " + status + " " + code);
            }
        }
    }
}

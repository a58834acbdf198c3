package io.sluice.http;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request helpers on their own, with hostile input: every refusal is a 4xx with a clear code. */
class HelpersTest {

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ApiException refused(int status, ErrorCode code, Executable call) {
        ApiException e = assertThrows(ApiException.class, call);
        assertEquals(status, e.status(), e.getMessage());
        assertEquals(code.code(), e.code(), e.getMessage());
        return e;
    }

    @Test
    void textFields() {
        JsonNode body = json("{\"a\":\"hello\",\"blank\":\"  \",\"n\":12,\"arr\":[1],\"obj\":{},\"nul\":\"a\\u0000b\",\"z\":null}");
        assertEquals("hello", Fields.requiredText(body, "a", 10));
        assertEquals("hello", Fields.optionalText(body, "a", 10));
        assertNull(Fields.optionalText(body, "missing", 10));
        assertNull(Fields.optionalText(body, "z", 10));
        refused(400, ErrorCode.MISSING_FIELD, () -> Fields.requiredText(body, "missing", 10));
        refused(400, ErrorCode.MISSING_FIELD, () -> Fields.requiredText(body, "z", 10));
        refused(400, ErrorCode.MISSING_FIELD, () -> Fields.requiredText(body, "blank", 10));
        assertTrue(refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.optionalText(body, "n", 10)).getMessage()
                .contains("a number"));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.requiredText(body, "arr", 10));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.requiredText(body, "obj", 10));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.optionalText(body, "a", 4));
        assertTrue(refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.optionalText(body, "nul", 10)).getMessage()
                .contains("NUL"));
    }

    @Test
    void everyBodyIsCheckedForValuesNoRouteCanStore() {
        BodyCheck.check(json("{\"a\":\"ok\",\"n\":9223372036854775807,\"f\":1.5e300,\"l\":[{\"x\":-1}]}"));
        assertTrue(refused(400, ErrorCode.INVALID_CONTENT, () -> BodyCheck.check(json(
                "{\"messages\":[{\"role\":\"user\"},{\"content\":\"a\\u0000b\"}]}"))).getMessage()
                .startsWith("messages[1].content: must not contain NUL"));
        assertTrue(refused(400, ErrorCode.INVALID_REQUEST, () -> BodyCheck.check(json("{\"params\":{\"k\\u0000\":1}}")))
                .getMessage().startsWith("params.k?: a field name must not contain NUL"));
        assertTrue(refused(400, ErrorCode.INVALID_MAX_TOKENS, () -> BodyCheck.check(json("{\"max_tokens\":99999999999999999999}")))
                .getMessage().startsWith("max_tokens: number out of range"));
        assertTrue(refused(400, ErrorCode.INVALID_REQUEST, () -> BodyCheck.check(json("{\"t\":-1e999999}")))
                .getMessage().startsWith("t: number out of range"));
        refused(400, ErrorCode.INVALID_ROLE, () -> BodyCheck.check(json("{\"messages\":[{\"role\":\"\\u0000\"}]}")));
        refused(400, ErrorCode.INVALID_CONTENT, () -> BodyCheck.check(json("{\"message\":\"\\u0000\"}")));
        refused(400, ErrorCode.INVALID_CONTENT, () -> BodyCheck.check(json("{\"messages\":[{\"content\":[{\"text\":\"\\u0000\"}]}]}")));
        refused(400, ErrorCode.INVALID_REQUEST, () -> BodyCheck.check(json("{\"variables\":{\"message\":\"\\u0000\"}}")));
    }

    @Test
    void durations() {
        assertEquals(java.time.Duration.ofSeconds(30), Query.duration("wait", "30"));
        assertEquals(java.time.Duration.ofMillis(500), Query.duration("wait", "500ms"));
        for (String bad : new String[] {"-1s", "x", "99999999999999999999", "99999999999999999999s", "9223372036854775807h",
                                        "PT99999999999999999999H", "1\u0000s", ""}) {
            refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.duration("wait", bad));
        }
    }

    @Test
    void flagsAndObjects() {
        JsonNode body = json("{\"t\":true,\"f\":false,\"s\":\"true\",\"n\":1,\"o\":{\"x\":1},\"z\":null}");
        assertTrue(Fields.flag(body, "t"));
        assertFalse(Fields.flag(body, "f"));
        assertFalse(Fields.flag(body, "missing"));
        assertFalse(Fields.flag(body, "z"));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.flag(body, "s"));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.flag(body, "n"));
        assertEquals(1, Fields.optionalObject(body, "o").get("x").asInt());
        assertNull(Fields.optionalObject(body, "missing"));
        refused(400, ErrorCode.INVALID_REQUEST, () -> Fields.optionalObject(body, "t"));
    }

    @Test
    void queryParameters() {
        assertTrue(Query.flag("sync", "true"));
        assertTrue(Query.flag("sync", "TRUE"));
        assertFalse(Query.flag("sync", "false"));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.flag("sync", "yes"));
        String echoed = refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.flag("sync", "\u0000\n" + "x".repeat(500))).getMessage();
        assertFalse(echoed.contains("\n") || echoed.contains("\u0000"), echoed);
        assertTrue(echoed.length() < 120, echoed);
        assertEquals(5, Query.integer("limit", "5", 1, 10));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("limit", "0", 1, 10));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("limit", "11", 1, 10));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("limit", "9".repeat(400), 1, 10));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("before", "99999999999999999999", 1, Long.MAX_VALUE));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("limit", "1e3", 1, 10000));
        refused(400, ErrorCode.INVALID_PARAMETER, () -> Query.integer("limit", "", 1, 10));
    }

    @Test
    void uuidPathIds() {
        UUID id = UUID.randomUUID();
        assertEquals(id, PathIds.uuid(id.toString(), ErrorCode.TASK_NOT_FOUND, "task"));
        ApiException e = refused(404, ErrorCode.TASK_NOT_FOUND, () -> PathIds.uuid("not-a-uuid\u0000<script>", ErrorCode.TASK_NOT_FOUND, "task"));
        assertEquals("no task not-a-uuid??script?", e.getMessage());
        refused(404, ErrorCode.SESSION_NOT_FOUND, () -> PathIds.uuid("x".repeat(10_000), ErrorCode.SESSION_NOT_FOUND, "session"));
    }

    @Test
    void clippedText() {
        assertEquals("plain", Text.clip("plain", 10));
        assertEquals("a?b?c", Text.clip("a\u0000b\nc", 10));
        assertEquals("abc...", Text.clip("abcdef", 3));
        assertEquals("??...", Text.clip("\u00e9\u00e9\u00e9", 2));
        assertEquals("", Text.clip(null, 5));
        assertEquals("\u202e".length(), 1);
        assertEquals("?", Text.clip("\u202e", 5));   // no right-to-left override reaches a log
    }

    @Test
    void errorMapperWalksTheCauseChain() {
        ApiException inner = new ApiException(ErrorCode.TASK_NOT_FOUND, "no task x");
        assertEquals(inner, ErrorMapper.toApiException(new RuntimeException(new IllegalStateException(inner))));
        assertEquals("internal_error", ErrorMapper.toApiException(new IllegalStateException("boom")).code());
        ErrorMapper.Mapped gone = ErrorMapper.map(new RuntimeException(new java.io.IOException("reset")), true);
        assertTrue(gone.clientGone());
        assertFalse(ErrorMapper.map(new RuntimeException(new java.io.IOException("disk")), false).clientGone());
        assertEquals("bad_request", ErrorMapper.fromStatus(400, "bad \u0000 header").code());
        assertEquals("bad ? header", ErrorMapper.fromStatus(400, "bad \u0000 header").getMessage());
    }

    @Test
    void everyDatabaseOutageIsA503AndABadStatementIsNot() {
        String[] outages = {"08006", "08001", "08003", "57P01", "57P02", "57P03", "53300"};
        for (String state : outages) {
            ApiException e = ErrorMapper.toApiException(db(new java.sql.SQLException("gone", state)));
            assertEquals("database_unavailable", e.code(), state);
            assertEquals(503, e.status());
        }
        assertEquals("database_unavailable", ErrorMapper.toApiException(db(new java.sql.SQLException("copy failed",
                new java.net.SocketException("reset")))).code(), "an I/O failure under a statement");
        assertEquals("database_unavailable", ErrorMapper.toApiException(db(new java.sql.SQLTransientConnectionException("timeout")))
                .code(), "a pool timeout");
        assertEquals("internal_error", ErrorMapper.toApiException(db(new java.sql.SQLException("syntax", "42601"))).code());
        assertEquals("internal_error", ErrorMapper.toApiException(db(new java.sql.SQLException("no state"))).code());
    }

    private static io.sluice.infra.Database.DatabaseException db(java.sql.SQLException e) {
        return new io.sluice.infra.Database.DatabaseException(e);
    }
}

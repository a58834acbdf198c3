package io.sluice.llm;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.AppConfig;
import io.sluice.Settings;
import io.sluice.http.ApiException;
import io.sluice.http.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat checks on their own (no server): each refusal a 400 or 404 with the code a client can act on. */
class ChatRequestValidatorTest {
    private static ChatRequestValidator validator;

    @BeforeAll
    static void build() {
        LlmSettings llm = Settings.from(AppConfig.load(Map.of(
                "llm.max-tokens-limit", "100", "llm.max-content-chars", "50", "llm.max-messages", "3"))).llm();
        validator = new ChatRequestValidator(llm, new ModelCatalog(llm));
    }

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String code(String body) {
        ApiException e = assertThrows(ApiException.class, () -> validator.validate(json(body)), body);
        assertTrue(e.status() == 400 || e.status() == 404, e.status() + " " + e.getMessage());
        return e.code();
    }

    private static String chat(String messages, String extra) {
        return "{\"model\":\"sluice-sim\",\"messages\":" + messages + extra + "}";
    }

    private static final String HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    @Test
    void aGoodRequestCarriesWhatSluiceActsOn() {
        ChatRequest r = validator.validate(json(chat(
                "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}]",
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"user\":\"u1\",\"max_tokens\":100")));
        assertEquals("sluice-sim", r.model());
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        assertEquals("u1", r.user());
        assertEquals("be brief".length() + "hello".length(), r.promptChars());
    }

    @Test
    void assistantWithToolCallsMayHaveNoContent() {
        validator.validate(json(chat("[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"tool_calls\":[]}]", "")));
    }

    @Test
    void eachBrokenFieldHasItsCode() {
        assertEquals("invalid_model", code("{\"messages\":" + HI + "}"));
        assertEquals("invalid_model", code("{\"model\":7,\"messages\":" + HI + "}"));
        assertEquals("model_not_found", code("{\"model\":\"nope\",\"messages\":" + HI + "}"));
        assertEquals("invalid_messages", code("{\"model\":\"sluice-sim\"}"));
        assertEquals("invalid_messages", code(chat("[]", "")));
        assertEquals("invalid_messages", code(chat("{\"role\":\"user\"}", "")));
        assertEquals("invalid_messages", code(chat("[\"hi\"]", "")));
        assertEquals("too_many_messages", code(chat("[" + "{\"role\":\"user\",\"content\":\"a\"},".repeat(3) + "{\"role\":\"user\",\"content\":\"a\"}]", "")));
        assertEquals("invalid_role", code(chat("[{\"role\":\"wizard\",\"content\":\"hi\"}]", "")));
        assertEquals("invalid_role", code(chat("[{\"role\":[],\"content\":\"hi\"}]", "")));
        assertEquals("invalid_content", code(chat("[{\"role\":\"user\"}]", "")));
        assertEquals("invalid_content", code(chat("[{\"role\":\"user\",\"content\":42}]", "")));
        assertEquals("invalid_content", code(chat("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]", "")));
        assertEquals("content_too_large", code(chat("[{\"role\":\"user\",\"content\":\"" + "x".repeat(51) + "\"}]", "")));
        assertEquals("invalid_request", code(chat(HI, ",\"stream\":\"yes\"")));
        assertEquals("invalid_request", code(chat(HI, ",\"stream_options\":true")));
        assertEquals("invalid_request", code(chat(HI, ",\"user\":{}")));
        assertEquals("invalid_request", code(chat(HI, ",\"user\":\"a\\u0000b\"")));
    }

    @Test
    void maxTokensIsASmallPositiveInteger() {
        for (String bad : new String[] {"0", "-1", "101", "1.5", "\"10\"", "true", "1e400", "99999999999999999999999"}) {
            assertEquals("invalid_max_tokens", code(chat(HI, ",\"max_tokens\":" + bad)), bad);
            assertEquals("invalid_max_tokens", code(chat(HI, ",\"max_completion_tokens\":" + bad)), bad);
        }
        assertEquals(100, validator.maxTokens(json("{\"max_tokens\":100}"), "max_tokens"));
        assertNull(validator.maxTokens(json("{\"max_tokens\":null}"), "max_tokens"));
    }

    @Test
    void aSessionMessageIsChecked() {
        assertEquals("hello", validator.userMessage(json("{\"message\":\"hello\"}"), "message"));
        for (String bad : new String[] {"{}", "{\"message\":\"  \"}", "{\"message\":3}", "{\"message\":[\"x\"]}"}) {
            ApiException e = assertThrows(ApiException.class, () -> validator.userMessage(json(bad), "message"));
            assertEquals("invalid_messages", e.code(), bad);
        }
        ApiException big = assertThrows(ApiException.class,
                () -> validator.userMessage(json("{\"message\":\"" + "x".repeat(51) + "\"}"), "message"));
        assertEquals("content_too_large", big.code());
        assertEquals("invalid_content", assertThrows(ApiException.class,
                () -> validator.userMessage(json("{\"message\":\"a\\u0000b\"}"), "message")).code());
        assertFalse(big.getMessage().contains("xxxxx"), "the message is not echoed");
    }
}

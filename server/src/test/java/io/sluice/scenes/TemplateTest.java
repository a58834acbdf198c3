package io.sluice.scenes;

import java.util.List;
import java.util.Map;

import io.sluice.http.ApiException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templates on their own: variables found once each, rendering literal, a missing variable a 400 naming it. */
class TemplateTest {

    @Test
    void variablesInOrderOfFirstUse() {
        Template t = new Template("{{a}} and {{ b.c }} then {{a}} and {{x-y}}; {{ 1bad }} {{}}");
        assertEquals(List.of("a", "b.c", "x-y"), List.copyOf(t.variables()));
    }

    @Test
    void rendersValuesLiterally() {
        Template t = new Template("Say {{ what }} to {{who}}.");
        assertEquals("Say $1 \\n {{who}} to you.", t.render(Map.of("what", "$1 \\n {{who}}", "who", "you")));
    }

    @Test
    void missingVariablesAre400NamingEachOnce() {
        ApiException e = assertThrows(ApiException.class,
                () -> new Template("{{a}} {{b}} {{a}} {{c}}").render(Map.of("b", "x")));
        assertEquals(400, e.status());
        assertEquals("missing_variables", e.code());
        assertEquals("missing template variable(s): a, c", e.getMessage());
    }

    @Test
    void aTemplateWithoutVariablesIsItself() {
        assertEquals("plain {text}", new Template("plain {text}").render(Map.of()));
        assertTrue(new Template("").variables().isEmpty());
    }

    @Test
    void theRenderedSizeIsCheckedBeforeBuilding() {
        Template t = new Template("{{v}}".repeat(1000));
        ApiException e = assertThrows(ApiException.class, () -> t.render(Map.of("v", "x".repeat(10_000_000)), 1_000_000));
        assertEquals(400, e.status());
        assertEquals("content_too_large", e.code());
        assertTrue(e.getMessage().contains("10000000000"), e.getMessage());   // counted in a long: no overflow
        assertEquals("ab".repeat(1000).length(), t.render(Map.of("v", "ab"), 2000).length());
    }
}

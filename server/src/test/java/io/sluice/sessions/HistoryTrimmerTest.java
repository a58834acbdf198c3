package io.sluice.sessions;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** History trimming on its own: the newest messages that fit the budget, oldest first, no gaps. */
class HistoryTrimmerTest {

    private static List<Message> history(String... contents) {
        List<Message> list = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            list.add(new Message(i + 1, i % 2 == 0 ? "user" : "assistant", contents[i], false, OffsetDateTime.now()));
        }
        return list;
    }

    @Test
    void tokensAreCharsOverFourPlusAPerMessageCost() {
        assertEquals(4, HistoryTrimmer.tokens(""));
        assertEquals(5, HistoryTrimmer.tokens("abcd"));
        assertEquals(6, HistoryTrimmer.tokens("abcde"));
    }

    @Test
    void keepsTheNewestSuffixThatFits() {
        List<Message> h = history("a".repeat(40), "b".repeat(4), "c".repeat(4));   // 14, 5, 5 tokens
        assertEquals(List.of(), HistoryTrimmer.trim(h, 4));
        assertEquals(h.subList(2, 3), HistoryTrimmer.trim(h, 5));
        assertEquals(h.subList(1, 3), HistoryTrimmer.trim(h, 10));
        assertEquals(h.subList(1, 3), HistoryTrimmer.trim(h, 23), "no gap: the big old one does not fit, nothing older either");
        assertEquals(h, HistoryTrimmer.trim(h, 24));
    }

    @Test
    void aBigNewestMessageStopsTheHistoryThere() {
        List<Message> h = history("small", "x".repeat(1000));
        assertTrue(HistoryTrimmer.trim(h, 50).isEmpty());
        assertEquals(List.of(), HistoryTrimmer.trim(List.of(), 100));
    }
}

package io.sluice.sessions;

import java.util.List;

/**
 * Keeps a chat's context within budget: the newest earlier messages whose approximate tokens
 * (chars / 4, plus a little per message) fit, without gaps. The system prompt and the new message
 * are always sent and do not count against the budget.
 */
final class HistoryTrimmer {
    private static final int PER_MESSAGE = 4;   // role and separators, roughly as OpenAI counts them

    private HistoryTrimmer() {
    }

    static int tokens(String text) {
        return (text.length() + 3) / 4 + PER_MESSAGE;
    }

    /** The newest suffix of {@code history} (oldest first) that fits {@code budget} tokens. */
    static List<Message> trim(List<Message> history, int budget) {
        int used = 0;
        int from = history.size();
        while (from > 0) {
            int cost = tokens(history.get(from - 1).content());
            if (used + cost > budget) {
                break;
            }
            used += cost;
            from--;
        }
        return history.subList(from, history.size());
    }
}

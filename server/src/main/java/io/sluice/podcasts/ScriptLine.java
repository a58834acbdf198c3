package io.sluice.podcasts;

import java.util.LinkedHashMap;
import java.util.Map;

/** One line of a podcast script: who says it, in which voice, and what. */
public record ScriptLine(int index, String speaker, String voice, String text) {

    Map<String, Object> view(boolean rendered) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("speaker", speaker);
        m.put("voice", voice);
        m.put("text", text);
        m.put("rendered", rendered);
        return m;
    }
}

package io.sluice.podcasts;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScriptParserTest {
    private static final Host ANA = new Host("Ana", "alloy");
    private static final Host BEN = new Host("Ben Ode", "echo");
    private final ScriptParser parser = new ScriptParser(ANA, BEN, 200);

    @Test
    void readsNameColonLinesInTheWaysModelsWriteThem() {
        String text = """
                # Episode 12
                **Ana:** Welcome to the show!
                [laughs]
                - Ben Ode: Thanks, Ana.
                It is good to be here.
                2. ANA: "Let us begin."
                Narrator: this is nobody's line and continues Ana's.
                **Ben Ode**:
                A name alone, the words below.
                Ana:
                """;
        List<ScriptLine> lines = parser.parse(text, 10);
        assertEquals(List.of(
                new ScriptLine(0, "Ana", "alloy", "Welcome to the show!"),
                new ScriptLine(1, "Ben Ode", "echo", "Thanks, Ana. It is good to be here."),
                new ScriptLine(2, "Ana", "alloy", "\"Let us begin.\" Narrator: this is nobody's line and continues Ana's."),
                new ScriptLine(3, "Ben Ode", "echo", "A name alone, the words below.")), lines);
    }

    @Test
    void cutsLongLinesAtAWordAndStopsAtTheLimit() {
        String longLine = "Ana: " + "word ".repeat(40);
        List<ScriptLine> lines = new ScriptParser(ANA, BEN, 60).parse(longLine + "\nBen Ode: two\nAna: three", 2);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).text().length() <= 60 && lines.get(0).text().endsWith("word"), lines.get(0).text());
    }

    @Test
    void unstructuredTextIsDealtOutToTheHostsInTurn() {
        // What the simulated provider answers: no host lines at all.
        String text = "Simulated reply to: The topic of this episode: bulkheads ... the gateway keeps every slow call "
                      + "bounded so one small box can hold many streams at once while retries stay within budget";
        List<ScriptLine> lines = parser.parseLoosely(text, 6);
        assertEquals(6, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(i % 2 == 0 ? "Ana" : "Ben Ode", lines.get(i).speaker());
            assertEquals(i, lines.get(i).index());
        }
        assertEquals(text.replaceAll("\\s+", " "), String.join(" ", lines.stream().map(ScriptLine::text).toList()));
    }
}

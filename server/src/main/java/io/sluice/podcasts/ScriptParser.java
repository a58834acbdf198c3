package io.sluice.podcasts;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns text into script lines of the two hosts. A line is {@code Name: what they say}; models dress
 * that up, so a leading bullet or number, Markdown emphasis around the name ({@code **Ana:**}) and a
 * name alone on its line with the words on the following lines are all understood. A line whose
 * speaker is not a host continues the previous line; stage directions in brackets are dropped.
 * <p>
 * {@link #parse} is strict (what a client's own script must satisfy); {@link #parseLoosely} is for
 * model output: when fewer than two host lines can be found (a model, or the simulated provider, that
 * ignored the format) the text is dealt out in even word groups to the hosts in turn, so a podcast is
 * still made from whatever the model wrote.
 */
final class ScriptParser {
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?:[-*>•]\\s+|\\d{1,3}[.)]\\s+)?[*_]{0,2}\\s*([\\p{L}\\p{N} .'\\-]{1,40}?)\\s*[*_]{0,2}\\s*:\\s*[*_]{0,2}\\s*(.*)$");
    private static final Pattern DIRECTION = Pattern.compile("^\\s*[\\[(][^\\])]*[\\])]\\s*");
    private static final int WORDS_PER_LOOSE_LINE = 3;

    private final Host first;
    private final Host second;
    private final int maxLineChars;

    ScriptParser(Host first, Host second, int maxLineChars) {
        this.first = first;
        this.second = second;
        this.maxLineChars = maxLineChars;
    }

    /** The host lines of the text in order (empty ones left out), at most {@code maxLines}. */
    List<ScriptLine> parse(String text, int maxLines) {
        List<String[]> turns = new ArrayList<>();   // {speaker, words}
        for (String raw : text.split("\\R")) {
            String line = DIRECTION.matcher(raw).replaceAll("").strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            Host host = m.matches() ? host(m.group(1)) : null;
            if (host != null) {
                turns.add(new String[] {host.name(), m.group(2).strip()});
            } else if (!turns.isEmpty()) {
                String[] last = turns.getLast();
                last[1] = (last[1] + " " + line).strip();
            }
        }
        List<ScriptLine> lines = new ArrayList<>();
        for (String[] t : turns) {
            String words = clean(t[1]);
            if (!words.isEmpty() && lines.size() < maxLines) {
                Host h = host(t[0]);
                lines.add(new ScriptLine(lines.size(), h.name(), h.voice(), words));
            }
        }
        return lines;
    }

    /** {@link #parse}, or when it finds fewer than two lines, the words dealt out to the hosts in turn. */
    List<ScriptLine> parseLoosely(String text, int lines) {
        List<ScriptLine> parsed = parse(text, lines);
        if (parsed.size() >= 2) {
            return parsed;
        }
        String[] words = clean(text).split("\\s+");
        int count = Math.max(1, Math.min(lines, words.length / WORDS_PER_LOOSE_LINE));
        List<ScriptLine> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int from = (int) ((long) words.length * i / count);
            int to = (int) ((long) words.length * (i + 1) / count);
            String part = clean(String.join(" ", java.util.Arrays.copyOfRange(words, from, to)));
            if (!part.isEmpty()) {
                Host h = out.size() % 2 == 0 ? first : second;
                out.add(new ScriptLine(out.size(), h.name(), h.voice(), part));
            }
        }
        return out;
    }

    private Host host(String speaker) {
        return first.speaks(speaker) ? first : second.speaks(speaker) ? second : null;
    }

    /** Markdown emphasis and surrounding quotes removed, whitespace collapsed, cut at a word within the limit. */
    private String clean(String words) {
        String s = words.replaceAll("[*_]{2,}", "").replaceAll("\\s+", " ").strip();
        if (s.length() > 1 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.length() > maxLineChars) {
            int cut = s.lastIndexOf(' ', maxLineChars);
            s = s.substring(0, cut > maxLineChars / 2 ? cut : maxLineChars).strip();
        }
        return s;
    }
}

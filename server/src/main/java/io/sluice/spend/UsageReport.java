package io.sluice.spend;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import io.sluice.infra.Database;

/** Usage rows summed per UTC day, model and key over a date range, for one user or one key. */
final class UsageReport {
    static final int MAX_ROWS = 10_000;

    private final Database db;

    UsageReport(Database db) {
        this.db = db;
    }

    /** One group: a day, a model and a key (null: calls made with a login token or without auth). */
    record Line(LocalDate day, String model, UUID keyId, long requests, long promptTokens, long completionTokens,
                long cachedTokens, BigDecimal cost) {
        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", day.toString());
            m.put("model", model);
            m.put("key_id", keyId == null ? null : keyId.toString());
            totals(m, requests, promptTokens, completionTokens, cachedTokens, cost);
            return m;
        }
    }

    /** The lines from {@code from} to {@code to} (both whole UTC days, inclusive); owner and key null: no filter on them. */
    List<Line> lines(LocalDate from, LocalDate to, String owner, UUID keyId) {
        StringBuilder sql = new StringBuilder("SELECT (created_at AT TIME ZONE 'UTC')::date, model, key_id, count(*), "
                + "sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), sum(cost) FROM llm_usage "
                + "WHERE created_at >= ? AND created_at < ?");
        List<Object> params = new ArrayList<>(List.of(from.atStartOfDay().atOffset(ZoneOffset.UTC),
                                                      to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC)));
        if (owner != null) {
            sql.append(" AND owner = ?");
            params.add(owner);
        }
        if (keyId != null) {
            sql.append(" AND key_id = ?");
            params.add(keyId);
        }
        sql.append(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT ").append(MAX_ROWS);
        return db.readQuery(sql.toString(), rs -> new Line(rs.getObject(1, LocalDate.class), rs.getString(2),
                                                           rs.getObject(3, UUID.class), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                                                           rs.getLong(7), rs.getBigDecimal(8)), params.toArray());
    }

    /** Totals per value of {@code by} (day, model or key), in order. */
    static List<Map<String, Object>> by(List<Line> lines, String field, Function<Line, String> by) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, BigDecimal> costs = new TreeMap<>();
        for (Line l : lines) {
            String k = String.valueOf(by.apply(l));
            long[] c = counts.computeIfAbsent(k, x -> new long[4]);
            c[0] += l.requests();
            c[1] += l.promptTokens();
            c[2] += l.completionTokens();
            c[3] += l.cachedTokens();
            costs.merge(k, l.cost(), BigDecimal::add);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        counts.forEach((k, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(field, k.equals("null") ? null : k);
            totals(m, c[0], c[1], c[2], c[3], costs.get(k));
            out.add(m);
        });
        return out;
    }

    static Map<String, Object> total(List<Line> lines) {
        List<Map<String, Object>> all = by(lines, "all", l -> "all");
        Map<String, Object> m = all.isEmpty() ? totals(new LinkedHashMap<>(), 0, 0, 0, 0, BigDecimal.ZERO) : all.getFirst();
        m.remove("all");
        return m;
    }

    static String csv(List<Line> lines) {
        StringBuilder sb = new StringBuilder("date,model,key_id,requests,prompt_tokens,completion_tokens,cached_tokens,cost\n");
        for (Line l : lines) {
            sb.append(l.day()).append(',').append(quoted(l.model())).append(',').append(l.keyId() == null ? "" : l.keyId())
              .append(',').append(l.requests()).append(',').append(l.promptTokens()).append(',').append(l.completionTokens())
              .append(',').append(l.cachedTokens()).append(',').append(l.cost().stripTrailingZeros().toPlainString()).append('\n');
        }
        return sb.toString();
    }

    private static String quoted(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static Map<String, Object> totals(Map<String, Object> m, long requests, long prompt, long completion, long cached,
                                              BigDecimal cost) {
        m.put("requests", requests);
        m.put("prompt_tokens", prompt);
        m.put("completion_tokens", completion);
        m.put("cached_tokens", cached);
        m.put("cost", new BigDecimal(cost.stripTrailingZeros().toPlainString()));   // 10, not 1E+1
        return m;
    }

}

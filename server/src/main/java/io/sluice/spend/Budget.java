package io.sluice.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A spend cap on a subject ({@code key:<id>} or {@code user:<id>}) over the current UTC day or
 * month: past {@code softLimit} a warning, at {@code hardLimit} the next request is refused.
 */
record Budget(String subject, Period period, double hardLimit, Double softLimit) {

    enum Period {
        DAILY, MONTHLY;

        String db() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Period of(String s) {
            return "monthly".equals(s) ? MONTHLY : DAILY;
        }

        /** The current period's first instant (UTC). */
        Instant start(Instant now) {
            LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
            return (this == DAILY ? day : day.withDayOfMonth(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** The first instant of the next period. */
        Instant end(Instant now) {
            LocalDate first = LocalDate.ofInstant(start(now), ZoneOffset.UTC);
            return (this == DAILY ? first.plusDays(1) : first.plusMonths(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** Names the current period in a counter key: d2026-11-23, m2026-11. */
        String id(Instant now) {
            LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
            return this == DAILY ? "d" + day : "m" + day.toString().substring(0, 7);
        }
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("period", period.db());
        m.put("limit", BigDecimal.valueOf(hardLimit).stripTrailingZeros().toPlainString());
        m.put("soft_limit", softLimit == null ? null : BigDecimal.valueOf(softLimit).stripTrailingZeros().toPlainString());
        return m;
    }
}

package io.sluice.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import io.sluice.auth.ApiKeys;
import io.sluice.infra.Database;

/** Budgets and the spend they cap, in PostgreSQL: the source of truth that Redis counters are rebuilt from. */
final class BudgetStore {
    private final Database db;

    BudgetStore(Database db) {
        this.db = db;
    }

    List<Budget> all() {
        return db.query("SELECT subject, period, hard_limit, soft_limit FROM budgets ORDER BY subject LIMIT 100000",
                        rs -> new Budget(rs.getString(1), Budget.Period.of(rs.getString(2)), rs.getBigDecimal(3).doubleValue(),
                                         rs.getBigDecimal(4) == null ? null : rs.getBigDecimal(4).doubleValue()));
    }

    void put(Budget b) {
        db.update("INSERT INTO budgets (subject, period, hard_limit, soft_limit) VALUES (?, ?, ?, ?) "
                  + "ON CONFLICT (subject) DO UPDATE SET period = EXCLUDED.period, hard_limit = EXCLUDED.hard_limit, "
                  + "soft_limit = EXCLUDED.soft_limit, soft_warned_for = NULL, updated_at = now()",
                  b.subject(), b.period().db(), BigDecimal.valueOf(b.hardLimit()),
                  b.softLimit() == null ? null : BigDecimal.valueOf(b.softLimit()));
    }

    /** True for the one caller in the cluster that claims the soft-limit warning of this subject's period. */
    boolean claimSoftWarning(String subject, String periodId) {
        return db.update("UPDATE budgets SET soft_warned_for = ? WHERE subject = ? AND soft_warned_for IS DISTINCT FROM ?",
                         periodId, subject, periodId) == 1;
    }

    boolean remove(String subject) {
        return db.update("DELETE FROM budgets WHERE subject = ?", subject) == 1;
    }

    /** An API key's public prefix (its meters' label), or "none" for a key that is gone. */
    String keyLabel(String keyId) {
        return db.queryOne("SELECT prefix FROM api_keys WHERE id = ?", rs -> ApiKeys.PREFIX + rs.getString(1), UUID.fromString(keyId))
                 .orElse("none");
    }

    /** What the subject's usage rows cost since {@code since}: what its Redis counter must be at least. */
    double spentSince(String subject, Instant since) {
        OffsetDateTime from = since.atOffset(ZoneOffset.UTC);
        String id = subject.substring(subject.indexOf(':') + 1);
        BigDecimal sum = subject.startsWith("key:")
                ? db.queryOne("SELECT COALESCE(sum(cost), 0) FROM llm_usage WHERE key_id = ? AND created_at >= ?",
                              rs -> rs.getBigDecimal(1), UUID.fromString(id), from).orElse(BigDecimal.ZERO)
                : db.queryOne("SELECT COALESCE(sum(cost), 0) FROM llm_usage WHERE owner = ? AND created_at >= ?",
                              rs -> rs.getBigDecimal(1), id, from).orElse(BigDecimal.ZERO);
        return sum.doubleValue();
    }
}

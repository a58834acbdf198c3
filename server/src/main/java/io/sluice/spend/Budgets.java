package io.sluice.spend;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.auth.BudgetEditor;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.infra.Invalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every budget in memory (a small table, read whole): a request looks its key's and user's up in a
 * map, and with no budget at all checks nothing. Changes are published on the {@value #CHANNEL}
 * channel so every instance re-reads the table within a second, and it is re-read on every
 * resubscription and with each reconciliation anyway.
 */
final class Budgets implements BudgetEditor, Invalidations.Listener {
    static final String CHANNEL = "sluice:budgets";
    private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);
    private static final double MAX_LIMIT = 1e12;

    private final BudgetStore store;
    private final Invalidations invalidations;
    private volatile Map<String, Budget> bySubject = Map.of();

    Budgets(BudgetStore store, Invalidations invalidations) {
        this.store = store;
        this.invalidations = invalidations;
    }

    /** The subject's budget, or null. */
    Budget get(String subject) {
        return bySubject.get(subject);
    }

    boolean none() {
        return bySubject.isEmpty();
    }

    List<Budget> all() {
        return List.copyOf(bySubject.values());
    }

    /** Re-reads the table; on failure keeps what it had (and says so). */
    void reload() {
        try {
            Map<String, Budget> m = new HashMap<>();
            for (Budget b : store.all()) {
                m.put(b.subject(), b);
            }
            bySubject = Map.copyOf(m);
        } catch (RuntimeException e) {
            LOG.warn("budgets: could not re-read the budgets table ({}); keeping the {} known", e.toString(), bySubject.size());
        }
    }

    @Override
    public void validate(JsonNode budget) {
        parse("-", budget);
    }

    @Override
    public void set(String subject, JsonNode budget) {
        Budget b = parse(subject, budget);
        if (b == null) {
            if (store.remove(subject)) {
                changed();
            }
            return;
        }
        store.put(b);
        changed();
    }

    @Override
    public Map<String, Object> view(String subject) {
        Budget b = bySubject.get(subject);
        return b == null ? null : b.view();
    }

    @Override
    public void onMessage(String message) {
        reload();
    }

    @Override
    public void resync() {
        reload();
    }

    @Override
    public void refresh() {
        reload();
    }

    private void changed() {
        reload();
        try {
            invalidations.publish(CHANNEL, "changed");
        } catch (RuntimeException e) {
            LOG.warn("budgets: could not tell other instances ({}); they re-read budgets at their next reconciliation", e.toString());
        }
    }

    /** {@code {"period": "daily"|"monthly", "limit": n, "soft_limit": n}}; null or JSON null: no budget. */
    private static Budget parse(String subject, JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw bad("budget: must be an object {\"period\": \"daily\"|\"monthly\", \"limit\": n, \"soft_limit\": n} or null");
        }
        String period = n.path("period").asText("");
        if (!period.equals("daily") && !period.equals("monthly")) {
            throw bad("budget.period: must be \"daily\" or \"monthly\"");
        }
        double hard = amount(n, "limit");
        JsonNode soft = n.get("soft_limit");
        Double softLimit = soft == null || soft.isNull() ? null : amount(n, "soft_limit");
        if (softLimit != null && softLimit > hard) {
            throw bad("budget.soft_limit: must not be above budget.limit");
        }
        return new Budget(subject, Budget.Period.of(period), hard, softLimit);
    }

    private static double amount(JsonNode budget, String field) {
        JsonNode v = budget.get(field);
        if (v == null || !v.isNumber() || !(v.doubleValue() > 0) || v.doubleValue() > MAX_LIMIT) {
            throw bad("budget." + field + ": must be a number above 0 (in usage.currency), at most " + BigDecimal.valueOf(MAX_LIMIT).toPlainString());
        }
        return v.doubleValue();
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest(ErrorCode.INVALID_REQUEST, message);
    }
}

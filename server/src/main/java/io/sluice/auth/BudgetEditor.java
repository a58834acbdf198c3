package io.sluice.auth;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the key and user endpoints put a {@code budget} field: implemented by the spend feature,
 * which owns budgets (auth only carries them through). Subjects are {@code key:<id>} and {@code user:<id>}.
 */
public interface BudgetEditor {
    /** 400 naming the problem unless the budget is well formed (a JSON null is fine: no budget). */
    void validate(JsonNode budget);

    /** Stores the budget (null or a JSON null removes it) and tells every instance. */
    void set(String subject, JsonNode budget);

    /** The subject's budget for an answer, or null when it has none. */
    Map<String, Object> view(String subject);

    BudgetEditor NONE = new BudgetEditor() {
        @Override
        public void validate(JsonNode budget) {
            if (budget != null && !budget.isNull()) {
                throw new io.sluice.http.ApiException(io.sluice.http.ErrorCode.INVALID_REQUEST, "budget: budgets are not available here");
            }
        }

        @Override
        public void set(String subject, JsonNode budget) {
        }

        @Override
        public Map<String, Object> view(String subject) {
            return null;
        }
    };
}

package io.sluice.tasks;

import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** Runs one claimed task and returns its result; a {@link Failure} says whether trying again can help. */
@FunctionalInterface
public interface TaskRunner {

    JsonNode run(Task task) throws Failure;

    /**
     * Runs a task through a call that fails with {@link ApiException}: upstream overload, rate limits
     * and 5xx are worth another attempt; another 4xx is final, and so is a spent budget (429
     * insufficient_quota: it renews with its period, not in the seconds between attempts). The call gets the task (its request,
     * and who pays: owner and key) and an id for its usage record.
     */
    static TaskRunner of(BiFunction<Task, String, JsonNode> call) {
        return task -> {
            try {
                return call.apply(task, "task-" + task.id());
            } catch (ApiException e) {
                boolean retryable = (e.status() >= 500 || e.status() == 429 || e.status() == 408)
                                    && !ErrorCode.INSUFFICIENT_QUOTA.code().equals(e.code());
                throw new Failure(retryable, e.code(), e.getMessage());
            }
        };
    }

    final class Failure extends Exception {
        private final boolean retryable;
        private final String code;

        public Failure(boolean retryable, String code, String message) {
            super(message, null, false, false);
            this.retryable = retryable;
            this.code = code;
        }

        public boolean retryable() {
            return retryable;
        }

        public String code() {
            return code;
        }
    }
}

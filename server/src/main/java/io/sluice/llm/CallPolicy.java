package io.sluice.llm;

import java.util.function.Predicate;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What the caller may do with an LLM call made on its behalf, decided outside the LLM feature (the
 * spend feature: a key's model allow-list, its tokens per minute, the key's and user's budgets).
 * Every route that calls a chat model for a caller goes through it: chat completions, session and
 * scene chats, and tasks. {@link #admit} runs before any work and refuses by throwing; the
 * {@link Admitted} it returns is settled once the call has ended, with its result, or with null
 * when it failed before one. A task is admitted when it is submitted and {@link #charge charged}
 * by the worker that runs it, which may be another instance.
 */
public interface CallPolicy {
    Admitted admit(ServerRequest req, ServerResponse res, ChatRequest chat);

    /**
     * A call paid by a caller known without a request (a task's worker, for whoever submitted the
     * task): refused (429 insufficient_quota) only when a hard budget of the payer ran out while the
     * task waited; the model and the tokens per minute were checked at submission. Settled like an
     * admitted call, to the budgets and meters of {@code owner} and {@code keyId} (either may be null).
     */
    Admitted charge(String owner, String keyId, String model);

    /** The models this caller may see and call, or null for all of them (the common case: nothing to filter). */
    Predicate<String> visibleModels(ServerRequest req);

    /** An admitted call: who pays for it, and what to settle afterwards (never throws, never blocks on I/O). */
    interface Admitted {
        /** The authenticated user's id, or null. */
        String owner();

        /** The API key's id, or null. */
        String keyId();

        void settle(ChatResult result);
    }

    /** Who pays, and nothing to settle. */
    record Unmetered(String owner, String keyId) implements Admitted {
        @Override
        public void settle(ChatResult result) {
        }
    }

    Admitted OPEN_CALL = new Unmetered(null, null);

    /** No policy: everything admitted, nothing settled. */
    CallPolicy OPEN = new CallPolicy() {
        @Override
        public Admitted admit(ServerRequest req, ServerResponse res, ChatRequest chat) {
            return OPEN_CALL;
        }

        @Override
        public Admitted charge(String owner, String keyId, String model) {
            return new Unmetered(owner, keyId);
        }

        @Override
        public Predicate<String> visibleModels(ServerRequest req) {
            return null;
        }
    };
}

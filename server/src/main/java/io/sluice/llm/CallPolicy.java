package io.sluice.llm;

import java.util.function.Predicate;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What the caller may do on the OpenAI routes, decided outside the LLM feature (the spend feature:
 * a key's model allow-list, its tokens per minute, the key's and user's budgets). {@link #admit}
 * runs before the upstream call and refuses by throwing; the {@link Admitted} it returns is settled
 * once the call has ended, with its result, or with null when it failed before one.
 */
public interface CallPolicy {
    Admitted admit(ServerRequest req, ServerResponse res, ChatRequest chat);

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

    Admitted OPEN_CALL = new Admitted() {
        @Override
        public String owner() {
            return null;
        }

        @Override
        public String keyId() {
            return null;
        }

        @Override
        public void settle(ChatResult result) {
        }
    };

    /** No policy: everything admitted, nothing settled. */
    CallPolicy OPEN = new CallPolicy() {
        @Override
        public Admitted admit(ServerRequest req, ServerResponse res, ChatRequest chat) {
            return OPEN_CALL;
        }

        @Override
        public Predicate<String> visibleModels(ServerRequest req) {
            return null;
        }
    };
}

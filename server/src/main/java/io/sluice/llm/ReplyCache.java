package io.sluice.llm;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The response cache's hook on {@code POST /v1/chat/completions} (implemented outside this
 * package). {@link #open} returns null for a model without a cache, so a model with caching off
 * costs the chat path one map lookup and nothing else.
 */
@FunctionalInterface
public interface ReplyCache {
    ReplyCache OFF = (req, res, chat) -> null;

    /** Looks the request up (and sets the cache headers on {@code res}); null when its model is not cached. */
    Lookup open(ServerRequest req, ServerResponse res, ChatRequest chat);

    interface Lookup {
        /** Non-null when the answer came from the cache and has been sent: what to record as usage. */
        ChatResult hit();

        /** Keeps a complete answer for the next asker; ignores failed, cut or unfinished ones. Never throws. */
        void store(ChatResult result);
    }
}

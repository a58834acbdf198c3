package io.sluice.llm;

import java.time.Duration;
import java.util.function.Consumer;

import io.helidon.webserver.http.ServerResponse;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;

/**
 * Answers a chat with server-sent events: takes a streaming permit, opens the OpenAI-format writer
 * and relays the routed answer. Used by {@code POST /v1/chat/completions} and by session chat.
 */
public final class ChatStream {
    private final Admission admission;
    private final ChatRouter router;
    private final Duration pingInterval;

    public ChatStream(Admission admission, ChatRouter router, Duration pingInterval) {
        this.admission = admission;
        this.router = router;
        this.pingInterval = pingInterval;
    }

    /**
     * Streams the answer to {@code res}. The streaming permit is held for the stream's whole life,
     * the upstream call inside it; {@code beforeDone} runs before {@code [DONE]} goes out, so what
     * it stores is there when the client sees the end.
     */
    public ChatResult stream(ChatRequest request, LlmModel model, ServerResponse res, String requestId,
                             Consumer<ChatResult> beforeDone) {
        try (Permit streaming = admission.acquireStream();
             SseWriter out = new SseWriter(res, pingInterval, requestId)) {
            ChatResult result = router.stream(request, model, out);
            beforeDone.accept(result);
            return result;
        }
    }
}

package io.sluice.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import io.sluice.support.FakeUpstream.Behavior;

/** {@link FakeUpstream} behaviours that answer 200 with something that is not a chat completion: the faults a proxy in the way, or a broken upstream, produces. */
public final class BadAnswers {
    private BadAnswers() {
    }

    /** Status 200 with {@code body} as it is, under {@code contentType}: an empty body, HTML, malformed or misshapen JSON. */
    public static Behavior ok200(String contentType, String body) {
        return (fake, ex, req) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            ex.getResponseBody().write(bytes);
        };
    }

    /** Status 200 promising {@code length} bytes, sending only the first half of a chat.completion, then hanging up. */
    public static Behavior truncated() {
        return (fake, ex, req) -> {
            byte[] half = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"mess"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, half.length * 3L);
            ex.getResponseBody().write(half);
            ex.getResponseBody().flush();
            throw new IOException("truncated on purpose");   // closes the connection short of the promised length
        };
    }

    /**
     * A stream of {@code chunks} good chunks, then {@code tail} written raw (e.g. garbage, a huge line,
     * nothing), then the end of the response: no {@code [DONE]}.
     */
    public static Behavior streamThen(int chunks, String tail) {
        return (fake, ex, req) -> {
            String model = req.path("model").asText();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < chunks; i++) {
                fake.event(out, FakeUpstream.chunk(model, "{\"content\":\"w" + i + " \"}", null));
            }
            out.write(tail.getBytes(StandardCharsets.UTF_8));
            out.flush();
        };
    }
}

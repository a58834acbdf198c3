package io.sluice.sessions;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/** One stored message; {@code incomplete} marks an assistant reply that was cut short. */
public record Message(long id, String role, String content, boolean incomplete, OffsetDateTime createdAt) {

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "chat.message");
        m.put("role", role);
        m.put("content", content);
        m.put("incomplete", incomplete);
        m.put("created_at", createdAt.toString());
        return m;
    }
}

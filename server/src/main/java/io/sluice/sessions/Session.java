package io.sluice.sessions;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A conversation: its owner (the authenticated user's id), a display name, its model, and the system prompt sent before its history. */
public record Session(UUID id, String owner, String user, String title, String systemPrompt, String model,
                      OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.toString());
        m.put("object", "chat.session");
        m.put("user", user);
        m.put("title", title);
        m.put("system_prompt", systemPrompt);
        m.put("model", model);
        m.put("created_at", createdAt.toString());
        m.put("updated_at", updatedAt.toString());
        return m;
    }
}

package io.sluice.sessions;

import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/** The {@code sessions:} section: the model a new session uses and how much history a reply sees. */
public record SessionSettings(String defaultModel, int historyTokenBudget, int historyMaxMessages) {

    /** @param models the configured public model names; the default model must be one of them */
    public static SessionSettings from(ConfigReader c, Set<String> models) {
        String model = c.string("sessions.default-model").trim();
        if (!models.contains(model)) {
            throw new InvalidConfigException("sessions.default-model", model,
                    "not a configured model (llm.models: " + models + ")");
        }
        return new SessionSettings(model, c.intAtLeast("sessions.history-token-budget", 1),
                                   c.intAtLeast("sessions.history-max-messages", 1));
    }
}

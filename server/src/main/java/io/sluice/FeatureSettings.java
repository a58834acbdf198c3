package io.sluice;

import io.helidon.config.Config;
import io.sluice.config.ConfigReader;
import io.sluice.auth.AuthSettings;
import io.sluice.ratelimit.RateLimitSettings;
import io.sluice.security.SecuritySettings;
import io.sluice.tasks.TaskSettings;

/**
 * The config sections that belong to one feature package each, read and validated together, so
 * start-up and {@code --check-config} refuse exactly the same mistakes.
 */
public record FeatureSettings(AuthSettings auth, RateLimitSettings limits, SecuritySettings security, TaskSettings tasks) {

    public static FeatureSettings from(Config config, Settings settings) {
        ConfigReader reader = new ConfigReader(config);
        return new FeatureSettings(AuthSettings.from(reader, settings.app().production()),
                                   RateLimitSettings.from(reader),
                                   SecuritySettings.from(reader),
                                   TaskSettings.from(reader));
    }
}

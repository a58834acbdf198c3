package io.sluice.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

/**
 * The one source of configuration, highest priority first: explicit overrides (tests), environment
 * variables, the override file (data/.performance.yaml), ./config.yaml, and the defaults packaged
 * in the jar (the same config.yaml).
 */
public final class AppConfig {
    public static final String OVERRIDE_FILE_ENV = "SLUICE_CONFIG_OVERRIDE";
    public static final String CONFIG_FILE_ENV = "SLUICE_CONFIG";

    private AppConfig() {
    }

    public static Config load(Map<String, String> overrides) {
        String overrideFile = System.getenv().getOrDefault(OVERRIDE_FILE_ENV, "data/.performance.yaml");
        String configFile = System.getenv().getOrDefault(CONFIG_FILE_ENV, "config.yaml");
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        if (!overrides.isEmpty()) {
            sources.add(ConfigSources.create(overrides));
        }
        sources.add(ConfigSources.environmentVariables());
        sources.add(ConfigSources.file(overrideFile).optional());
        sources.add(ConfigSources.file(configFile).optional());
        if (!samePackaged(Path.of(configFile))) {   // the same bytes twice would only be parsed twice (start-up time)
            sources.add(ConfigSources.classpath("config.yaml"));
        }
        return Config.builder()
                .sources(sources)
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
    }

    /** True when {@code file} holds exactly the packaged config.yaml (the usual case: make run from the repository). */
    private static boolean samePackaged(Path file) {
        try (InputStream packaged = AppConfig.class.getResourceAsStream("/config.yaml")) {
            return packaged != null && Files.isRegularFile(file)
                   && Arrays.equals(packaged.readAllBytes(), Files.readAllBytes(file));
        } catch (IOException e) {
            return false;
        }
    }
}

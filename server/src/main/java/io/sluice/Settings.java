package io.sluice;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.sluice.audio.AudioSettings;
import io.sluice.auth.AuthSettings;
import io.sluice.cache.CacheSettings;
import io.sluice.config.AppSettings;
import io.sluice.config.ConfigReader;
import io.sluice.config.Masking;
import io.sluice.diag.DiagnosticsSettings;
import io.sluice.http.HttpSettings;
import io.sluice.http.Json;
import io.sluice.infra.DatabaseSettings;
import io.sluice.infra.RedisSettings;
import io.sluice.limits.AdmissionSettings;
import io.sluice.limits.BulkheadSettings;
import io.sluice.llm.LlmSettings;
import io.sluice.llm.usage.UsageSettings;
import io.sluice.embeddings.EmbeddingSettings;
import io.sluice.fileproxy.FileProxySettings;
import io.sluice.observe.AccessLogSettings;
import io.sluice.observe.LogSettings;
import io.sluice.observe.monitor.MonitorSettings;
import io.sluice.podcasts.PodcastSettings;
import io.sluice.ratelimit.RateLimitSettings;
import io.sluice.respcache.ResponseCacheSettings;
import io.sluice.security.SecuritySettings;
import io.sluice.spend.SpendSettings;
import io.sluice.sessions.SessionSettings;
import io.sluice.tasks.TaskSettings;
import io.sluice.tracing.TracingSettings;

/**
 * Every feature's settings, each read and validated by the feature itself from its own section.
 * {@link #from(Config)} is the one path for start-up and {@code --check-config}, so both refuse
 * exactly the same mistakes; it throws {@link ConfigReader.InvalidConfigException} naming the key.
 */
public record Settings(AppSettings app,
                       HttpSettings http,
                       AdmissionSettings admission,
                       DatabaseSettings database,
                       RedisSettings redis,
                       LogSettings logging,
                       AccessLogSettings accessLog,
                       DiagnosticsSettings diagnostics,
                       LlmSettings llm,
                       Map<String, BulkheadSettings> bulkheads,
                       SessionSettings sessions,
                       AuthSettings auth,
                       RateLimitSettings ratelimit,
                       SecuritySettings security,
                       TaskSettings tasks,
                       UsageSettings usage,
                       CacheSettings cache,
                       TracingSettings tracing,
                       EmbeddingSettings embeddings,
                       ResponseCacheSettings responseCache,
                       MonitorSettings monitoring,
                       FileProxySettings fileProxy,
                       AudioSettings audio,
                       PodcastSettings podcasts,
                       SpendSettings spend) {

    public static Settings from(Config config) {
        ConfigReader c = new ConfigReader(config);
        AppSettings app = AppSettings.from(c);
        AdmissionSettings admission = AdmissionSettings.from(c);
        LlmSettings llm = LlmSettings.from(c);
        EmbeddingSettings embeddings = EmbeddingSettings.from(c);
        AudioSettings audio = AudioSettings.from(c);
        return new Settings(app,
                            HttpSettings.from(c),
                            admission,
                            DatabaseSettings.from(c, app.production(), admission.requestDeadline()),
                            RedisSettings.from(c),
                            LogSettings.from(c),
                            AccessLogSettings.from(c, app.production()),
                            DiagnosticsSettings.from(c),
                            llm,
                            BulkheadSettings.all(c),
                            SessionSettings.from(c, llm.models().keySet()),
                            AuthSettings.from(c, app.production()),
                            RateLimitSettings.from(c),
                            SecuritySettings.from(c),
                            TaskSettings.from(c, llm.asyncDefault()),
                            UsageSettings.from(c),
                            CacheSettings.from(c),
                            TracingSettings.from(c),
                            embeddings,
                            ResponseCacheSettings.from(c, embeddings.models().keySet()),
                            MonitorSettings.from(c),
                            FileProxySettings.from(c),
                            audio,
                            PodcastSettings.from(c, llm.models().keySet(), audio),
                            SpendSettings.from(c));
    }

    /** The same settings with other connection limits (see {@link OpenFileBudget}). */
    Settings withConnectionLimits(HttpSettings http, LlmSettings llm, FileProxySettings fileProxy) {
        return new Settings(app, http, admission, database, redis, logging, accessLog, diagnostics, llm, bulkheads, sessions,
                            auth, ratelimit, security, tasks, usage, cache, tracing, embeddings, responseCache, monitoring,
                            fileProxy, audio, podcasts, spend);
    }

    /** The settings as JSON, safe to print: every {@link io.sluice.config.Secret} component masked. */
    public JsonNode masked() {
        return Masking.tree(Json.MAPPER, this);
    }
}

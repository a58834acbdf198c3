package io.sluice.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.sluice.ratelimit.Limit;

/**
 * What an API key may do: the models it may call (globs, {@code *} any run of characters), until
 * when, and its own requests- and tokens-per-minute limits. Built once when the key is looked up
 * and cached with its principal, so a request pays a field read, not a query. A key without any of
 * these has no scope object at all ({@link Principal#scope()} is null).
 */
public final class KeyScope implements Predicate<String> {
    private final String label;          // the key's public prefix, e.g. sk-sluice-0123456789ab (for metrics)
    private final List<String> models;   // null: every model
    private final Pattern allowed;       // the globs as one regex; null: every model
    private final Instant expiresAt;     // null: never
    private final Limit rpm;             // null: only the global per-client limit
    private final int tpm;               // 0: none
    private final String rpmBucket;      // the rate limiter's bucket, named once (with the limit: a new rpm starts afresh)

    KeyScope(String keyId, String label, List<String> models, Instant expiresAt, Integer rpm, Integer tpm) {
        this.label = label;
        this.rpmBucket = rpm == null ? null : "client:key-rpm:" + keyId + ":" + rpm;
        this.models = models == null ? null : List.copyOf(models);
        this.allowed = models == null ? null : globs(models);
        this.expiresAt = expiresAt;
        this.rpm = rpm == null ? null : new Limit(rpm, Duration.ofMinutes(1));
        this.tpm = tpm == null ? 0 : tpm;
    }

    /** True when the key may call the model (no allow-list, or a glob matches). */
    public boolean allows(String model) {
        return allowed == null || allowed.matcher(model).matches();
    }

    /** {@link #allows}: the scope is the filter of its key's model list (one object per cached key, not one per request). */
    @Override
    public boolean test(String model) {
        return allows(model);
    }

    /** The allow-list as given (null: every model); also the identity of a filtered model list. */
    public List<String> models() {
        return models;
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public Limit rpm() {
        return rpm;
    }

    String rpmBucket() {
        return rpmBucket;
    }

    public int tpm() {
        return tpm;
    }

    public String label() {
        return label;
    }

    /** Globs to one anchored regex: {@code gpt-4o*} matches gpt-4o and gpt-4o-mini; everything else is literal. */
    static Pattern globs(List<String> globs) {
        StringBuilder re = new StringBuilder();
        for (String g : globs) {
            if (!re.isEmpty()) {
                re.append('|');
            }
            for (String part : g.split("\\*", -1)) {
                re.append(Pattern.quote(part)).append(".*");
            }
            re.setLength(re.length() - 2);
        }
        return Pattern.compile(re.toString());
    }
}

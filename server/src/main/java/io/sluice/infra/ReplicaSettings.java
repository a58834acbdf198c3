package io.sluice.infra;

import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * The optional read replica of the {@code database:} section ({@code replica-*} keys). An empty URL
 * means none: every read goes to the primary, exactly as without this feature.
 */
public record ReplicaSettings(@Secret(Secret.Kind.URL) String url,
                              String username,
                              @Secret String password,
                              Duration maxLag,
                              Duration checkInterval) {

    /** No replica. */
    public static final ReplicaSettings NONE = new ReplicaSettings("", "", "", Duration.ofSeconds(5), Duration.ofSeconds(1));

    public boolean enabled() {
        return !url.isBlank();
    }

    /** Empty replica credentials inherit the primary's. */
    static ReplicaSettings from(ConfigReader c, String username, String password) {
        String user = c.string("database.replica-username").trim();
        String pass = c.string("database.replica-password");
        ReplicaSettings r = new ReplicaSettings(c.string("database.replica-url").trim(),
                                                user.isEmpty() ? username : user,
                                                pass.isEmpty() ? password : pass,
                                                c.duration("database.replica-max-lag"),
                                                c.duration("database.replica-check-interval"));
        // The lag is known only as fresh as the last check: a check slower than the bound would let a
        // replica serve reads far staler than the bound promises.
        if (r.checkInterval.compareTo(r.maxLag) >= 0) {
            throw new InvalidConfigException("database.replica-check-interval", r.checkInterval.toString(),
                    "must be shorter than database.replica-max-lag (" + r.maxLag + ")");
        }
        return r;
    }

    @Override
    public String toString() {
        return "ReplicaSettings[" + (enabled() ? io.sluice.config.Masking.url(url) : "none") + ", max lag " + maxLag + "]";
    }
}

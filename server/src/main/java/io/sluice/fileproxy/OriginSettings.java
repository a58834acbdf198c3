package io.sluice.fileproxy;

import java.net.URI;

import io.sluice.config.ConfigReader;
import io.sluice.config.Secret;

/**
 * One allow-listed origin ({@code fileproxy.origins.<name>}): where its files live, an optional header
 * added to every origin request (an auth token), whether callers need credentials, and its own limits.
 */
public record OriginSettings(String name,
                             URI baseUrl,
                             String headerName,
                             @Secret String headerValue,
                             boolean isPublic,
                             int maxConnections,
                             int initialRate,
                             int maxRate,
                             long cacheMaxFileSize) {

    static OriginSettings from(ConfigReader c, String name, int defaultConnections, int defaultRate, int defaultMaxRate,
                               long defaultCacheMaxFileSize) {
        String key = "fileproxy.origins." + name + ".";
        String base = c.string(key + "base-url").trim();
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base : base + "/");
        } catch (IllegalArgumentException e) {
            throw new ConfigReader.InvalidConfigException(key + "base-url", base, "not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigReader.InvalidConfigException(key + "base-url", base, "must be an http(s) URL without query or fragment");
        }
        String header = c.stringOr(key + "header", "").trim();
        String value = c.stringOr(key + "header-value", "");
        if (!header.isEmpty() && !header.matches("[A-Za-z0-9-]+")) {
            throw new ConfigReader.InvalidConfigException(key + "header", header, "not a header name");
        }
        int connections = c.exists(key + "max-connections") ? c.intAtLeast(key + "max-connections", 1) : defaultConnections;
        int maxRate = c.exists(key + "max-rate") ? c.intAtLeast(key + "max-rate", 1) : defaultMaxRate;
        int rate = c.exists(key + "initial-rate") ? c.intAtLeast(key + "initial-rate", 1) : Math.min(defaultRate, maxRate);
        boolean open = c.exists(key + "public") && c.bool(key + "public");
        long cacheMax = c.exists(key + "cache-max-file-size")
                ? FileProxySettings.cacheMaxFileSize(c, key + "cache-max-file-size") : defaultCacheMaxFileSize;
        return new OriginSettings(name, uri, header, value, open, connections, rate, maxRate, cacheMax);
    }

    @Override
    public String toString() {   // never the header value
        return "OriginSettings[" + name + " " + baseUrl + (isPublic ? " public" : "") + "]";
    }
}

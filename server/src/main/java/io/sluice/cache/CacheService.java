package io.sluice.cache;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;

/**
 * {@code /api/cache} for admins: {@code GET /api/cache} the counters of every cache, and
 * {@code POST /api/cache/{cache}/invalidate} with {@code {"key": "..."}} or {@code {"prefix": "..."}}
 * ({@code ""} = everything) after a change made to PostgreSQL behind Sluice's back.
 */
public final class CacheService implements HttpService {
    private final Caches caches;

    public CacheService(Caches caches) {
        this.caches = caches;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            Principal.admin(req, "reading cache statistics");
            Json.send(res, caches.json());
        }).post("/{cache}/invalidate", this::invalidate);
    }

    private void invalidate(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "invalidating a cache");
        String name = req.path().pathParameters().get("cache");
        TwoLevelCache<?> cache = caches.named(name);
        if (cache == null) {
            throw ApiException.notFound(ErrorCode.NOT_FOUND, "no cache '" + (name.length() > 40 ? name.substring(0, 40) : name)
                                                             + "'; GET /api/cache lists them");
        }
        JsonNode body = Json.readObject(req);
        String key = Fields.optionalText(body, "key", 1000);
        String prefix = Fields.optionalText(body, "prefix", 1000);
        if ((key == null) == (prefix == null)) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "give exactly one of key (one entry) or prefix (\"\" = all)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cache", cache.name());
        if (key != null) {
            cache.invalidate(key);
            out.put("key", key);
        } else {
            cache.invalidatePrefix(prefix);
            out.put("prefix", prefix);
        }
        out.put("invalidated", true);
        Json.send(res, out);
    }
}

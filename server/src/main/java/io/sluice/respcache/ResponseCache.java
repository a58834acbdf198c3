package io.sluice.respcache;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.embeddings.Embeddings;
import io.sluice.infra.Redis;
import io.sluice.llm.ChatRequest;
import io.sluice.llm.ChatResult;
import io.sluice.llm.ReplyCache;
import io.sluice.respcache.CacheMeters.Result;
import io.sluice.respcache.ResponseCacheSettings.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * The AI response cache of {@code POST /v1/chat/completions}, per model ({@code llm.models.<id>.cache}).
 * Exact: the answer stored under a hash of the canonical request and its owner (the user, or
 * everyone with {@code scope: global}). Semantic: also an embedding of the last user message,
 * compared with the earlier ones of the same conversation prefix ({@link SemanticIndex}).
 * Entries and vectors live in Redis, shared by every instance. Redis unreachable or slow (its pool
 * and socket waits are bounded) means {@code bypass}: the request goes upstream as if uncached.
 * Every answer of a cached model carries {@code X-Sluice-Cache: hit | semantic-hit | miss | bypass}.
 */
public final class ResponseCache implements ReplyCache {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
    public static final HeaderName CACHE = HeaderNames.create("X-Sluice-Cache");
    public static final HeaderName SIMILARITY = HeaderNames.create("X-Sluice-Cache-Similarity");
    private static final Header HIT = HeaderValues.create(CACHE, "hit");
    private static final Header SEMANTIC_HIT = HeaderValues.create(CACHE, "semantic-hit");
    private static final Header MISS = HeaderValues.create(CACHE, "miss");
    private static final Header BYPASS = HeaderValues.create(CACHE, "bypass");
    static final String ENTRY = "sluice:rc:e:";
    static final String BUCKET = "sluice:rc:s:";

    private final Map<String, Policy> policies;
    private final Redis redis;
    private final Embeddings embeddings;
    private final String embeddingModel;
    private final SemanticIndex index;
    private final CacheMeters meters;

    private ResponseCache(ResponseCacheSettings s, Redis redis, Embeddings embeddings, MeterRegistry registry) {
        this.policies = s.models();
        this.redis = redis;
        this.embeddings = embeddings;
        this.embeddingModel = s.embeddingModel();
        this.index = new SemanticIndex(s.maxEntries());
        this.meters = new CacheMeters(registry, s.models().keySet());
    }

    /** {@link ReplyCache#OFF} when no model is cached: then the chat path does not even look a model up. */
    public static ReplyCache create(ResponseCacheSettings s, Redis redis, Embeddings embeddings, MeterRegistry registry) {
        return s.models().isEmpty() ? ReplyCache.OFF : new ResponseCache(s, redis, embeddings, registry);
    }

    @Override
    public Lookup open(ServerRequest req, ServerResponse res, ChatRequest chat) {
        Policy policy = policies.get(chat.model());
        return policy == null ? null : lookup(policy, req, res, chat);
    }

    private Lookup lookup(Policy policy, ServerRequest req, ServerResponse res, ChatRequest chat) {
        if (temperature(chat.body()) > policy.temperatureMax()) {
            return bypass(res, chat, null);   // sampled: a second answer is meant to differ
        }
        String control = req.headers().first(HeaderNames.CACHE_CONTROL).orElse("").toLowerCase(Locale.ROOT);
        Entry entry = new Entry(this, policy, chat, policy.global() ? "*" : Principal.of(req).userId(),
                                !control.contains("no-store"));
        if (control.contains("no-cache")) {
            return bypass(res, chat, entry);
        }
        byte[] answer;
        Result result = Result.HIT;
        double similarity = 0;
        try {
            try (Jedis j = redis.connection()) {
                answer = j.get(entry.key());
            }
            if (answer == null && policy.semantic() && entry.semantic()) {
                float[] question = entry.vector();   // embedded without holding a Redis connection
                try (Jedis j = redis.connection()) {
                    long start = System.nanoTime();
                    SemanticIndex.Match m = index.nearest(j, entry.bucketKey(), question);
                    meters.lookup(System.nanoTime() - start);
                    if (m != null && m.similarity() >= policy.threshold()) {
                        answer = j.get((ENTRY + CacheKeys.hex(m.id())).getBytes(StandardCharsets.UTF_8));
                        result = Result.SEMANTIC_HIT;
                        similarity = m.similarity();
                    }
                }
            }
        } catch (RuntimeException e) {   // Redis down or slow (bounded waits), an embedder refusing: go upstream
            LOG.debug("response cache skipped for model {}: {}", chat.model(), e.toString());
            return bypass(res, chat, null);
        }
        JsonNode tree = answer != null && chat.stream() ? Replay.parse(answer) : null;
        if (answer == null || (chat.stream() && tree == null)) {
            meters.count(chat.model(), Result.MISS);
            res.header(MISS);
            return entry;
        }
        meters.count(chat.model(), result);
        res.header(result == Result.HIT ? HIT : SEMANTIC_HIT);
        if (result == Result.SEMANTIC_HIT) {
            res.header(SIMILARITY, String.format(Locale.ROOT, "%.4f", similarity));
        }
        if (chat.stream()) {
            Replay.stream(res, tree, chat.includeUsage());
        } else {
            Replay.json(res, answer);
        }
        return new Hit(new ChatResult(ChatResult.Status.CACHE_HIT, result == Result.HIT ? "cache" : "semantic-cache", "",
                                      "stop", new ChatResult.Usage(0, 0, false), null));
    }

    private Lookup bypass(ServerResponse res, ChatRequest chat, Entry writable) {
        meters.count(chat.model(), Result.BYPASS);
        res.header(BYPASS);
        return writable != null ? writable : NO_STORE;
    }

    /** Stores a complete answer: the entry, and for a semantic model its vector. Failures are logged, never thrown. */
    void store(Entry e, ChatResult result) {
        boolean streamed = result.body() == null;
        if (!result.complete() || result.finishReason() == null
                || (streamed && ("tool_calls".equals(result.finishReason()) || e.chat().body().path("n").asInt(1) > 1))) {
            return;   // failed, cut by the client, unfinished; or streamed tool calls or n > 1 (the tally keeps one text)
        }
        byte[] completion = result.body() != null ? result.body() : Replay.completion(e.chat(), result);
        try {
            boolean semantic = e.policy().semantic() && e.semantic();
            float[] vector = semantic ? e.vector() : null;   // embeds now if the look-up did not (no-cache)
            try (Jedis j = redis.connection()) {
                j.set(e.key(), completion, SetParams.setParams().px(e.policy().ttl().toMillis()));
                if (semantic) {
                    index.add(j, e.bucketKey(), e.id(), vector, e.policy().ttl());
                }
            }
        } catch (RuntimeException ex) {
            LOG.debug("response cache: answer of model {} not stored: {}", e.chat().model(), ex.toString());
        }
    }

    float[] embed(String question) {
        return SemanticIndex.unit(embeddings.embedOne(embeddingModel, question));
    }

    private static double temperature(JsonNode body) {
        JsonNode t = body.get("temperature");
        return t != null && t.isNumber() ? t.asDouble() : 1.0;   // OpenAI's default is 1
    }

    private static final Lookup NO_STORE = new Hit(null);

    /** A replayed answer (or, with a null result, a request whose answer is not to be kept). */
    private record Hit(ChatResult hit) implements Lookup {
        @Override
        public void store(ChatResult result) {
        }
    }
}

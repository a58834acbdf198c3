package io.sluice.respcache;

import java.nio.charset.StandardCharsets;

import io.sluice.llm.ChatRequest;
import io.sluice.llm.ChatResult;
import io.sluice.llm.ReplyCache;
import io.sluice.respcache.ResponseCacheSettings.Policy;

/**
 * One request's place in the cache: its keys, worked out once, and the question's vector once
 * embedded (the look-up's vector is the one stored after a miss: one embedding per request).
 */
final class Entry implements ReplyCache.Lookup {
    private final ResponseCache cache;
    private final Policy policy;
    private final ChatRequest chat;
    private final String owner;
    private final boolean writable;
    private byte[] id;
    private byte[] key;
    private String bucketKey;
    private boolean bucketKnown;
    private float[] vector;

    Entry(ResponseCache cache, Policy policy, ChatRequest chat, String owner, boolean writable) {
        this.cache = cache;
        this.policy = policy;
        this.chat = chat;
        this.owner = owner;
        this.writable = writable;
    }

    @Override
    public ChatResult hit() {
        return null;
    }

    @Override
    public void store(ChatResult result) {
        if (writable) {
            cache.store(this, result);
        }
    }

    Policy policy() {
        return policy;
    }

    ChatRequest chat() {
        return chat;
    }

    byte[] id() {
        if (id == null) {
            id = CacheKeys.exact(owner, chat.body());
        }
        return id;
    }

    byte[] key() {
        if (key == null) {
            key = (ResponseCache.ENTRY + CacheKeys.hex(id())).getBytes(StandardCharsets.UTF_8);
        }
        return key;
    }

    /** Whether the conversation ends with a user message (else there is no question to compare). */
    boolean semantic() {
        return bucketKey() != null;
    }

    String bucketKey() {
        if (!bucketKnown) {
            byte[] bucket = CacheKeys.bucket(owner, chat.body());
            bucketKey = bucket == null ? null : ResponseCache.BUCKET + CacheKeys.hex(bucket);
            bucketKnown = true;
        }
        return bucketKey;
    }

    float[] vector() {
        if (vector == null) {
            vector = cache.embed(CacheKeys.question(chat.body()));
        }
        return vector;
    }
}

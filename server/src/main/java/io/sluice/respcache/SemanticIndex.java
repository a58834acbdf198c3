package io.sluice.respcache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The semantic entries: per bucket, a Redis list of {@code entry id (32 bytes) + unit vector
 * (float32)}, appended by every instance, capped at {@code maxEntries} (LTRIM keeps the oldest, so
 * positions never shift). Each instance mirrors the buckets it
 * uses in memory, at most {@code maxEntries} vectors in all (least recently used buckets dropped
 * first), and reads only the entries appended since its last look (one pipelined LLEN + LRANGE).
 * A bucket expires one TTL after its first entry and then begins again.
 * A look-up is a brute-force dot product over the bucket: vectors are unit length, so that is the
 * cosine similarity. At 5,000 x 384 it reads 7.7 MB, so memory bandwidth bounds it: 0.7 ms best,
 * 1.0 ms median on the 2-core development box under a load average of 30 (SemanticIndexTest prints it).
 */
final class SemanticIndex {
    static final int ID_BYTES = 32;

    record Match(byte[] id, double similarity) {
    }

    private final int maxEntries;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);   // guarded by this; LRU order
    private int total;   // vectors held in all buckets; guarded by this

    SemanticIndex(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** The closest entry of the bucket after catching up with Redis; null for an empty bucket. */
    Match nearest(Jedis redis, String key, float[] unit) {
        Bucket b = bucket(key);
        int added = b.sync(redis, key, maxEntries);
        if (added != 0) {
            grew(key, added);
        }
        return b.nearest(unit);
    }

    /** Appends an entry to the shared bucket; this instance (like every other) reads it back at its next look-up. */
    void add(Jedis redis, String key, byte[] id, float[] unit, Duration ttl) {
        ByteBuffer element = ByteBuffer.allocate(ID_BYTES + unit.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        element.put(id, 0, ID_BYTES).asFloatBuffer().put(unit);
        byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long length = redis.rpush(k, element.array());
        if (length == 1) {
            // The bucket lives one TTL from its first entry, then starts afresh: refreshed on every add, a full
            // bucket of a busy prefix would never expire and never take a new entry while its answers expire.
            redis.pexpire(k, ttl.toMillis());
        } else if (length > maxEntries) {
            redis.ltrim(k, 0, maxEntries - 1);
        }
    }

    static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] u = v.clone();
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < u.length; i++) {
                u[i] *= inv;
            }
        }
        return u;
    }

    synchronized int size() {
        return total;
    }

    private synchronized Bucket bucket(String key) {
        return buckets.computeIfAbsent(key, k -> new Bucket());
    }

    /** Counts new vectors and drops the least recently used other buckets while over the bound. */
    private synchronized void grew(String key, int added) {
        total += added;
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); total > maxEntries && it.hasNext(); ) {
            Map.Entry<String, Bucket> eldest = it.next();
            if (!eldest.getKey().equals(key)) {
                total -= eldest.getValue().snapshot.count;
                it.remove();
            }
        }
    }

    /**
     * Vectors stored dimension by dimension (one array per dimension, entries along it), appended
     * under a lock and published through a volatile snapshot: look-ups never lock. The layout makes
     * the search {@code score[i] += q[d] * column[d][i]}: an element-wise loop the JIT turns into SIMD
     * (a per-entry dot product is a float reduction, which it may not reorder, so it stays scalar).
     */
    static final class Bucket {
        private record Snapshot(float[][] columns, byte[][] ids, int count, int dim) {
        }

        private static final Snapshot EMPTY = new Snapshot(new float[0][], new byte[0][], 0, 0);
        private final ReentrantLock syncing = new ReentrantLock();
        private volatile Snapshot snapshot = EMPTY;

        /** Reads what was appended since the last sync; returns the change in size. Skipped while another thread syncs. */
        int sync(Jedis redis, String key, int max) {
            if (!syncing.tryLock()) {
                return 0;   // someone is reading the same news; search what there is
            }
            try {
                Snapshot s = snapshot;
                byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                Pipeline p = redis.pipelined();
                Response<Long> length = p.llen(k);
                Response<List<byte[]>> fresh = p.lrange(k, s.count, max - 1);
                p.sync();
                if (length.get() < s.count) {   // expired and begun again: start over
                    snapshot = EMPTY;
                    return -s.count + sync(redis, key, max);
                }
                return append(fresh.get());
            } finally {
                syncing.unlock();
            }
        }

        /** Called by {@link #sync} only (one thread at a time): writes beyond count, then publishes. */
        int append(List<byte[]> elements) {
            Snapshot s = snapshot;
            int count = s.count;
            int dim = s.dim;
            float[][] columns = s.columns;
            byte[][] ids = s.ids;
            for (byte[] e : elements) {
                int d = (e.length - ID_BYTES) / 4;
                if (d <= 0 || (dim != 0 && d != dim)) {
                    continue;   // another embedder's vector (the embedding model was changed): not comparable
                }
                if (dim == 0) {
                    dim = d;
                    columns = new float[dim][0];
                }
                if (count == ids.length) {   // grow: new arrays, so a reader of the old snapshot keeps consistent ones
                    int capacity = Math.max(16, count * 2);
                    ids = Arrays.copyOf(ids, capacity);
                    float[][] grown = new float[dim][];
                    for (int j = 0; j < dim; j++) {
                        grown[j] = Arrays.copyOf(columns[j], capacity);
                    }
                    columns = grown;
                }
                ByteBuffer b = ByteBuffer.wrap(e, ID_BYTES, e.length - ID_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < dim; j++) {
                    columns[j][count] = b.getFloat();
                }
                ids[count] = Arrays.copyOf(e, ID_BYTES);
                count++;
            }
            int added = count - s.count;
            snapshot = new Snapshot(columns, ids, count, dim);
            return added;
        }

        Match nearest(float[] q) {
            Snapshot s = snapshot;
            int n = s.count;
            if (n == 0 || q.length != s.dim) {
                return null;
            }
            float[] score = new float[n];
            for (int j = 0; j < s.dim; j++) {
                float qj = q[j];
                float[] column = s.columns[j];
                for (int i = 0; i < n; i++) {
                    score[i] += qj * column[i];
                }
            }
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (score[i] > score[best]) {
                    best = i;
                }
            }
            return new Match(s.ids[best], score[best]);
        }
    }
}

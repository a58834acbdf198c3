package io.sluice.respcache;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;

import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The semantic index on real Redis: a bucket filled to max-entries (5,000 vectors of 384
 * dimensions, the built-in model's) by one instance is read by another, capped, and searched by
 * brute force. Prints the look-up time at 5,000 entries (a measurement to read, not a timed assertion).
 */
class SemanticIndexTest {
    private static final int DIM = 384;
    private static final int ENTRIES = 5_000;

    @Test
    void aSecondInstanceFindsTheNearestOfFiveThousandSharedVectors() {
        Random random = new Random(42);
        String bucket = "test:rc:s:" + UUID.randomUUID();
        SemanticIndex writer = new SemanticIndex(ENTRIES);
        SemanticIndex reader = new SemanticIndex(ENTRIES);   // another instance: it knows the bucket only from Redis
        float[] planted = null;
        byte[] plantedId = null;
        try (Jedis j = new Jedis(URI.create(TestInfra.redisUrl()))) {
            Pipeline fill = j.pipelined();   // what other instances appended: the same elements, sent in one go
            for (int i = 0; i < ENTRIES + 10; i++) {   // the last 10 go through add(): over the cap, LTRIM drops them
                float[] v = SemanticIndex.unit(randomVector(random));
                byte[] id = new byte[SemanticIndex.ID_BYTES];
                random.nextBytes(id);
                if (i == 1234) {
                    planted = v;
                    plantedId = id;
                }
                if (i == 0 || i >= ENTRIES) {
                    fill.sync();
                    writer.add(j, bucket, id, v, Duration.ofMinutes(5));   // the first sets the bucket's TTL
                } else {
                    fill.rpush(bucket.getBytes(), element(id, v));
                }
            }
            assertTrue(j.pttl(bucket) > 0, "the bucket expires");
            assertEquals(ENTRIES, j.llen(bucket), "the bucket is capped at max-entries");

            float[] near = SemanticIndex.unit(nudge(planted, random));
            SemanticIndex.Match m = reader.nearest(j, bucket, near);
            assertArrayEquals(plantedId, m.id());
            assertTrue(m.similarity() > 0.95, "similarity " + m.similarity());
            assertEquals(ENTRIES, reader.size(), "the reader mirrors the whole bucket, within its bound");

            long[] nanos = new long[500];
            for (int i = 0; i < nanos.length; i++) {   // each look-up: the Redis catch-up (nothing new) and the search
                long start = System.nanoTime();
                reader.nearest(j, bucket, near);
                nanos[i] = System.nanoTime() - start;
            }
            SemanticIndex.Bucket local = new SemanticIndex.Bucket();
            local.append(j.lrange(bucket.getBytes(), 0, -1));
            long[] search = new long[500];
            for (int i = 0; i < search.length; i++) {
                long start = System.nanoTime();
                local.nearest(near);
                search[i] = System.nanoTime() - start;
            }
            System.out.printf("semantic look-up at %,d entries x %d dims: search only p50 %.3f ms p99 %.3f ms;"
                              + " with the Redis catch-up p50 %.3f ms p99 %.3f ms%n", ENTRIES, DIM,
                              pct(search, 50), pct(search, 99), pct(nanos, 50), pct(nanos, 99));
            j.del(bucket);
        }
    }

    private static byte[] element(byte[] id, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(SemanticIndex.ID_BYTES + v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id).asFloatBuffer().put(v);
        return b.array();
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    private static float[] randomVector(Random r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] nudge(float[] v, Random r) {
        float[] n = v.clone();
        for (int i = 0; i < n.length; i++) {
            n[i] += (float) (r.nextGaussian() * 0.01);
        }
        return n;
    }
}

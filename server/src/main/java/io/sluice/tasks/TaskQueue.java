package io.sluice.tasks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.sluice.infra.Redis;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XTrimParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamGroupInfo;
import redis.clients.jedis.resps.StreamPendingSummary;

/**
 * The Redis Stream that carries task ids to workers, with one consumer group. Entries are
 * acknowledged only after the task's outcome is committed in PostgreSQL; trimming never goes past
 * the oldest unacknowledged entry.
 */
public final class TaskQueue {
    static final String FIELD = "task";
    /** The submitter's W3C trace context, in the entry when tracing was on: the run continues that trace. */
    static final String TRACEPARENT = "traceparent";

    private final Redis redis;
    private final TaskSettings settings;
    private final Tracing tracing;

    public TaskQueue(Redis redis, TaskSettings settings, Tracing tracing) {
        this.redis = redis;
        this.settings = settings;
        this.tracing = tracing;
    }

    /** A delivered entry: the stream id to acknowledge, the task it names, the submit's traceparent (or null). */
    public record Delivery(StreamEntryID entryId, UUID taskId, String traceparent) {
    }

    /** The entry's fields: the task id, and the submitting request's trace context while tracing is on. */
    private Map<String, String> entry(UUID taskId) {
        return entry(taskId, tracing.traceparent());
    }

    private static Map<String, String> entry(UUID taskId, String traceparent) {
        return traceparent == null ? Map.of(FIELD, taskId.toString()) : Map.of(FIELD, taskId.toString(), TRACEPARENT, traceparent);
    }

    /** The current trace context (null when tracing is off), for a submit that another thread enqueues. */
    String traceparent() {
        return tracing.traceparent();
    }

    /** The span of a task's run, a child of its submit's span (same trace) when the entry carried one. */
    TraceSpan runSpan(Delivery d) {
        return tracing.continued("task.run", d.traceparent()).set("sluice.task_id", String.valueOf(d.taskId()));
    }

    public String enqueue(UUID taskId) {
        try (Jedis j = redis.connection()) {
            return j.xadd(settings.stream(), XAddParams.xAddParams(), entry(taskId)).toString();
        }
    }

    /** XADDs one entry per task in one pipelined round trip; throws if Redis refused or failed any of them. */
    public void enqueueAll(List<UUID> taskIds) {
        enqueueAll(taskIds, null);
    }

    /** As {@link #enqueueAll(List)}, each entry with its submitter's traceparent (the list parallel to the ids; null: none). */
    public void enqueueAll(List<UUID> taskIds, List<String> traceparents) {
        try (Jedis j = redis.connection(); Pipeline p = j.pipelined()) {
            List<Response<StreamEntryID>> added = new java.util.ArrayList<>(taskIds.size());
            for (int i = 0; i < taskIds.size(); i++) {
                UUID id = taskIds.get(i);
                added.add(p.xadd(settings.stream(), XAddParams.xAddParams(), entry(id, traceparents == null ? null : traceparents.get(i))));
            }
            p.sync();
            for (Response<StreamEntryID> r : added) {
                r.get();   // rethrows a per-command error
            }
        }
    }

    /** True when the entry is still in the stream (delivered or not); false when Redis lost it. */
    public boolean exists(String entryId) {
        try (Jedis j = redis.connection()) {
            return !j.xrange(settings.stream(), entryId, entryId, 1).isEmpty();
        }
    }

    /** Creates the group when missing (first start, or a Redis that came back empty). */
    public void ensureGroup() {
        try (Jedis j = redis.connection()) {
            j.xgroupCreate(settings.stream(), settings.group(), new StreamEntryID(0, 0), true);
        } catch (JedisDataException e) {
            if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /** The next undelivered entry for this consumer, waiting up to {@code block} for one. */
    public List<Delivery> read(Duration block) {
        if (block.compareTo(Redis.MAX_BLOCK) > 0) {
            throw new IllegalArgumentException("block " + block + " exceeds Redis.MAX_BLOCK");
        }
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(1).block((int) block.toMillis());
        try (Jedis j = redis.connection()) {
            var result = j.xreadGroup(settings.group(), settings.consumer(), params,
                                      Map.of(settings.stream(), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            if (result == null) {
                return List.of();
            }
            return result.stream().flatMap(e -> e.getValue().stream()).map(TaskQueue::delivery).toList();
        }
    }

    /** Takes over entries idle longer than the visibility timeout (their worker stopped heartbeating). */
    public List<Delivery> reclaim(int count) {
        try (Jedis j = redis.connection()) {
            var claimed = j.xautoclaim(settings.stream(), settings.group(), settings.consumer(),
                                       settings.visibilityTimeout().toMillis(), new StreamEntryID(0, 0),
                                       XAutoClaimParams.xAutoClaimParams().count(count));
            return claimed.getValue().stream().filter(e -> e != null && e.getFields() != null)
                    .map(TaskQueue::delivery).toList();
        }
    }

    /** Resets the entry's idle time while its task runs, so nobody reclaims a live task. */
    public void heartbeat(StreamEntryID entryId) {
        try (Jedis j = redis.connection()) {
            j.xclaimJustId(settings.stream(), settings.group(), settings.consumer(), 0,
                           XClaimParams.xClaimParams(), entryId);
        }
    }

    public void ack(StreamEntryID entryId) {
        try (Jedis j = redis.connection()) {
            j.xack(settings.stream(), settings.group(), entryId);
        }
    }

    public void deadLetter(UUID taskId, int attempts, String reason) {
        try (Jedis j = redis.connection()) {
            j.xadd(settings.deadLetterStream(), XAddParams.xAddParams(),
                   Map.of(FIELD, taskId.toString(), "attempts", String.valueOf(attempts), "reason", reason));
        }
    }

    /** Drops acknowledged history: everything below the oldest pending entry and the group's read position. */
    public void trim() {
        try (Jedis j = redis.connection()) {
            StreamPendingSummary pending = j.xpending(settings.stream(), settings.group());
            StreamEntryID floor = lastDelivered(j);
            if (floor == null) {
                return;
            }
            if (pending.getTotal() > 0 && pending.getMinId().compareTo(floor) < 0) {
                floor = pending.getMinId();
            }
            j.xtrim(settings.stream(), XTrimParams.xTrimParams().minId(floor.toString()));
        }
    }

    public Stats stats() {
        try (Jedis j = redis.connection()) {
            long length = j.xlen(settings.stream());
            StreamPendingSummary pending = j.xpending(settings.stream(), settings.group());
            long oldestMs = pending.getTotal() == 0 ? 0
                    : Math.max(0, System.currentTimeMillis() - pending.getMinId().getTime());
            long dead = j.exists(settings.deadLetterStream()) ? j.xlen(settings.deadLetterStream()) : 0;
            return new Stats(length, pending.getTotal(), oldestMs, dead);
        }
    }

    public record Stats(long length, long pending, long oldestPendingMs, long deadLetters) {
    }

    private StreamEntryID lastDelivered(Jedis j) {
        for (StreamGroupInfo g : j.xinfoGroups(settings.stream())) {
            if (g.getName().equals(settings.group())) {
                return g.getLastDeliveredId();
            }
        }
        return null;
    }

    private static Delivery delivery(StreamEntry e) {
        String id = e.getFields().get(FIELD);
        UUID taskId;
        try {
            taskId = UUID.fromString(id);
        } catch (RuntimeException bad) {
            taskId = null;   // a foreign or corrupt entry: the worker acknowledges and skips it
        }
        return new Delivery(e.getID(), taskId, e.getFields().get(TRACEPARENT));
    }
}

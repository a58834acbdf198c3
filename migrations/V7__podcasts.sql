-- Podcasts: a two-host script rendered line by line through TTS and joined into one WAV file.
-- The row is the podcast's public state; the task that produces it runs on the task queue.
CREATE TABLE podcasts (
    id           uuid PRIMARY KEY,
    owner        text        NOT NULL,
    task_id      uuid,
    status       text        NOT NULL CHECK (status IN ('queued', 'scripting', 'rendering', 'joining',
                                                        'succeeded', 'failed')),
    request      jsonb       NOT NULL,
    lines_total  integer     NOT NULL DEFAULT 0,
    lines_done   integer     NOT NULL DEFAULT 0,
    duration_ms  bigint,
    audio_bytes  bigint,
    error        jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX podcasts_owner_created ON podcasts (owner, created_at DESC);

-- One row per script line. rendered_at is set once the line's segment file is on disk, so a retried
-- or taken-over task renders only the lines without it.
CREATE TABLE podcast_lines (
    podcast_id   uuid        NOT NULL REFERENCES podcasts (id) ON DELETE CASCADE,
    idx          integer     NOT NULL,
    speaker      text        NOT NULL,
    voice        text        NOT NULL,
    text         text        NOT NULL,
    pcm_bytes    bigint,
    sample_rate  integer,
    channels     integer,
    bits         integer,
    rendered_at  timestamptz,
    PRIMARY KEY (podcast_id, idx)
);

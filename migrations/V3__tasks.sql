-- Async LLM tasks. The row is the source of truth; the Redis Stream only carries task ids.
CREATE TABLE tasks (
    id           uuid PRIMARY KEY,
    owner        text,
    kind         text        NOT NULL,
    request      jsonb       NOT NULL,
    status       text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    result       jsonb,
    error        jsonb,
    attempts     integer     NOT NULL DEFAULT 0,
    stream       text        NOT NULL,
    stream_id    text,
    worker       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    heartbeat_at timestamptz,
    finished_at  timestamptz
);

-- The reconciler scans unfinished tasks; finished ones are the vast majority and stay out of this index.
CREATE INDEX tasks_unfinished ON tasks (stream, updated_at) WHERE status IN ('queued', 'running');
CREATE INDEX tasks_owner_created ON tasks (owner, created_at DESC);

-- Prompt scenes: named templates with {{variables}}, rendered and run as tasks.
CREATE TABLE prompt_scenes (
    scene       text PRIMARY KEY,
    template    text        NOT NULL,
    system      text,
    model       text        NOT NULL,
    params      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

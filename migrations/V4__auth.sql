-- Users, API keys and ownership of sessions (tasks already carry an owner).

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text NOT NULL UNIQUE,           -- stored lower-case
    password_hash text NOT NULL,                  -- Argon2id, PHC string
    role          text NOT NULL CHECK (role IN ('admin', 'user')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A key is shown once; only its SHA-256 is kept. The prefix (random, unique) finds the row.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text,
    prefix       text NOT NULL UNIQUE,
    key_hash     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);

-- The authenticated owner (users.id as text, or 'local' with auth off); user_name stays a display name.
ALTER TABLE chat_sessions ADD COLUMN owner text;
CREATE INDEX chat_sessions_owner_idx ON chat_sessions (owner, created_at DESC);

-- Conversation sessions, their messages, and token usage per LLM request (for later quotas).

CREATE TABLE chat_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_name     text NOT NULL,
    title         text,
    system_prompt text,
    model         text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_sessions_user_idx ON chat_sessions (user_name, created_at DESC);

-- Messages in a session are ordered by id (a sequence), which also serves as the paging cursor.
CREATE TABLE chat_messages (
    id         bigserial PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('user', 'assistant')),
    content    text NOT NULL,
    incomplete boolean NOT NULL DEFAULT false,   -- an assistant reply cut short (client left, upstream failed)
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_session_idx ON chat_messages (session_id, id);

-- No foreign key to chat_sessions: usage outlives a deleted session.
CREATE TABLE llm_usage (
    id                bigserial PRIMARY KEY,
    request_id        text NOT NULL,
    user_name         text NOT NULL DEFAULT '',
    session_id        uuid,
    model             text NOT NULL,
    provider          text NOT NULL,
    prompt_tokens     integer NOT NULL,
    completion_tokens integer NOT NULL,
    estimated         boolean NOT NULL,          -- true when the upstream reported no usage (chars / 4)
    status            text NOT NULL,             -- complete | client_gone | failed
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_user_idx ON llm_usage (user_name, created_at);
CREATE INDEX llm_usage_request_idx ON llm_usage (request_id);

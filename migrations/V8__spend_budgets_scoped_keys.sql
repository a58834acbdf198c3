-- Spend per request, budgets, and API keys with a scope (issue 17).

-- Who paid (the authenticated user id as text, 'local' with auth off; user_name stays the client's
-- free-form "user" field), with which key, the cached part of the prompt and what it cost.
ALTER TABLE llm_usage
    ADD COLUMN owner         text,
    ADD COLUMN key_id        uuid,
    ADD COLUMN cached_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN cost          numeric(20, 9) NOT NULL DEFAULT 0;   -- in usage.currency, from usage.prices
CREATE INDEX llm_usage_owner_idx ON llm_usage (owner, created_at);
CREATE INDEX llm_usage_key_idx ON llm_usage (key_id, created_at);
CREATE INDEX llm_usage_created_idx ON llm_usage (created_at);

-- A key's scope: model globs (null: every model), expiry, its own request and token limits per
-- minute (null: none), free-form metadata, and a switch to turn it off without deleting it.
ALTER TABLE api_keys
    ADD COLUMN models     text[],
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN rpm        integer CHECK (rpm > 0),
    ADD COLUMN tpm        integer CHECK (tpm > 0),
    ADD COLUMN metadata   jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN disabled   boolean NOT NULL DEFAULT false;

-- Spend caps: one per key ('key:<uuid>') or user ('user:<uuid>'), over the current UTC day or month.
CREATE TABLE budgets (
    subject    text PRIMARY KEY,
    period     text NOT NULL CHECK (period IN ('daily', 'monthly')),
    hard_limit numeric(20, 9) NOT NULL CHECK (hard_limit > 0),
    soft_limit numeric(20, 9) CHECK (soft_limit > 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

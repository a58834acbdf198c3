-- An admin can disable an account without deleting what it owns; a disabled user cannot log in,
-- and its tokens and API keys are refused on every instance within a second.
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;

-- Who pays for a task's LLM call (issue 17): owner was already there; the API key it was submitted
-- with (null: a login token) goes with it, so the worker, on whichever instance, charges the key's
-- budget and writes the usage row with owner and key_id.
ALTER TABLE tasks ADD COLUMN key_id uuid;

-- The period (its id, as in the Redis counter's name: d2026-11-23 or m2026-11) whose soft-limit
-- warning was sent: claimed by one UPDATE, so the warning goes out once for the cluster, even when
-- Redis lost the counter and it crossed the limit again. A changed budget clears it.
ALTER TABLE budgets ADD COLUMN soft_warned_for text;

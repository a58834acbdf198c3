-- A session chat run as a task stores its reply under the task's key ("task-<id>"). A task is
-- delivered at least once: a worker that crashes after storing the reply but before committing the
-- task runs it again, and the unique key turns the second insert into a no-op (ON CONFLICT DO NOTHING).
ALTER TABLE chat_messages ADD COLUMN task_key text;
CREATE UNIQUE INDEX chat_messages_task_key_idx ON chat_messages (task_key) WHERE task_key IS NOT NULL;

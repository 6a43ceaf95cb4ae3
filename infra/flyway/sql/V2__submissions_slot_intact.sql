-- False when the sandbox that graded this submission was found changed by the job afterwards
-- (its self-check failed): the job attacked its sandbox, so the verdict stays with this row and
-- is never copied to an identical submission (dedupe, or rows that joined it in flight).
ALTER TABLE submissions ADD COLUMN slot_intact boolean NOT NULL DEFAULT true;

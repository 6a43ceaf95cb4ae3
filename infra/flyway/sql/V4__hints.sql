-- Hints: an assignment's ordered list (JSON [{text, afterFailures}], never in the shared detail)
-- and which of them each student has revealed. A hint is revealed by inserting its position:
-- the primary key makes a repeated reveal (a double click) a no-op.
ALTER TABLE assignments ADD COLUMN hints jsonb NOT NULL DEFAULT '[]'
  CONSTRAINT assignments_hints_check CHECK (jsonb_typeof(hints) = 'array');

CREATE TABLE revealed_hints (
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assignment_id uuid        NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    position      integer     NOT NULL CHECK (position >= 0),
    revealed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, assignment_id, position)
);

-- Koodi's system of record. gen_random_uuid() is built into PostgreSQL 13 and later.

CREATE TABLE users (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    slug             text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    position         integer     NOT NULL CHECK (position > 0),
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    handout_md       text        NOT NULL,
    starter_code     text        NOT NULL,
    module_name      text        NOT NULL CHECK (module_name ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
    -- Hidden tests and the reference solution never leave the server.
    test_code        text        NOT NULL,
    sample_test_code text        NOT NULL DEFAULT '',
    limits           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- Content hash of the assignment folder; a submission is graded against one version.
    version          text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX assignments_position_idx ON assignments (position);

CREATE TABLE submissions (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    assignment_id      uuid        NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    assignment_version text        NOT NULL,
    user_id            uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code               text        NOT NULL,
    code_sha256        char(64)    NOT NULL CHECK (code_sha256 ~ '^[0-9a-f]{64}$'),
    status             text        NOT NULL DEFAULT 'queued'
                                   CHECK (status IN ('queued', 'grading', 'passed', 'failed', 'error')),
    verdict            text        CHECK (verdict IN ('passed', 'tests_failed', 'syntax_error', 'import_error',
                                                      'time_limit_cpu', 'time_limit_wall', 'memory_limit',
                                                      'output_limit', 'internal_error')),
    feedback           jsonb,
    attempts           integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Set when this row joined an identical submission already in flight instead of being queued.
    duplicate_of       uuid        REFERENCES submissions (id) ON DELETE SET NULL,
    -- The client's Idempotency-Key: a retried POST returns the same row.
    idempotency_key    text        CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    graded_at          timestamptz,
    grading_ms         integer     CHECK (grading_ms >= 0),
    -- A verdict exactly when the status is final.
    CONSTRAINT submissions_verdict_iff_final
        CHECK ((status IN ('passed', 'failed', 'error')) = (verdict IS NOT NULL))
);

-- Dedupe: the same code for the same assignment version is graded once.
CREATE INDEX submissions_dedupe_idx
    ON submissions (assignment_id, assignment_version, code_sha256);

-- A student has at most one submission queued or grading at a time.
CREATE UNIQUE INDEX submissions_one_in_flight_per_user_idx
    ON submissions (user_id) WHERE status IN ('queued', 'grading');

CREATE UNIQUE INDEX submissions_idempotency_idx
    ON submissions (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- History and progress of one student.
CREATE INDEX submissions_user_assignment_idx
    ON submissions (user_id, assignment_id, created_at DESC);

-- The reconciler scans what is still in flight.
CREATE INDEX submissions_in_flight_idx
    ON submissions (created_at) WHERE status IN ('queued', 'grading');

CREATE INDEX submissions_duplicate_of_idx
    ON submissions (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- What a student writes for an assignment: `function` (functions that hidden unittest tests
-- import) or `program` (a whole program run once per case with the case's stdin, its stdout
-- compared with the expected output). For a program, test_code holds every case and
-- sample_test_code the visible ones, each as JSON {compare, cases: [{name, stdin, stdout, visible}]}.
ALTER TABLE assignments ADD COLUMN kind text NOT NULL DEFAULT 'function'
  CONSTRAINT assignments_kind_check CHECK (kind IN ('function', 'program'));

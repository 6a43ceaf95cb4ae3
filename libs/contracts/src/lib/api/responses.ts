import type { CodeLocation, TestResult } from '../feedback';
import type { AssignmentLimits } from '../limits';
import type { AssignmentKind } from '../program-cases';
import type { SubmissionStatus } from '../submission-status';
import type { Verdict } from '../verdict';

export const POINTS_PER_SOLVED = 100;

export interface ApiError {
  error: { code: string; message: string; details?: unknown };
}

export interface MeResponse {
  userId: string;
  points: number;
  solved: string[];
  next: string | null;
  /**
   * For each assignment id, the one to do after it: the first unsolved one further on, else any
   * unsolved one, else simply the following one; null after the last when nothing is left.
   */
  nextAfter: Record<string, AssignmentRef | null>;
}

/** Enough of an assignment to link to it. */
export interface AssignmentRef {
  id: string;
  slug: string;
  title: string;
}

/**
 * One entry of the course list, the same for everyone (NGINX caches it): which ones the student
 * has solved comes from `MeResponse.solved`.
 */
export interface AssignmentSummary {
  id: string;
  slug: string;
  position: number;
  title: string;
}

export interface AssignmentDetail {
  id: string;
  slug: string;
  position: number;
  title: string;
  handout: string;
  starterCode: string;
  /** `function`: sampleTests is a unittest file; `program`: the sample cases as ProgramTests JSON. */
  kind: AssignmentKind;
  sampleTests: string;
  moduleName: string;
  limits: AssignmentLimits;
  version: string;
  /** How many hints the assignment carries; their text only ever comes from the hints route. */
  hintCount: number;
}

export interface SubmissionView {
  id: string;
  assignmentId: string;
  status: SubmissionStatus;
  verdict: Verdict | null;
  summary: string | null;
  tests: TestResult[];
  output: string;
  outputTruncated: boolean;
  location: CodeLocation | null;
  /** 1-based place in the grading queue while queued; null otherwise. */
  queuePosition: number | null;
  createdAt: string;
  startedAt: string | null;
  gradedAt: string | null;
  gradingMs: number | null;
  /** What the student reads about where the submission stands: a headline and one sentence. */
  title: string;
  detail: string;
  /**
   * Under a final result: how long grading took ("Graded in 21 ms."), or, for a verdict reused
   * from identical code graded before, a sentence saying so. Null while pending.
   */
  timing: string | null;
}

/** One submission with the code it was made of: `GET /api/submissions/:id` only. */
export interface SubmissionWithCode extends SubmissionView {
  code: string;
}

/**
 * The answer to a Run: the student's code against the visible samples, in the same sandbox as
 * grading, but no submission, no points and no history. `passed` when every sample passed (or,
 * with no samples, when the code ran without an error).
 */
export interface RunView {
  status: 'passed' | 'failed';
  verdict: Verdict;
  summary: string;
  tests: TestResult[];
  output: string;
  outputTruncated: boolean;
  location: CodeLocation | null;
  durationMs: number;
}

export interface SubmissionHistoryItem {
  id: string;
  status: SubmissionStatus;
  verdict: Verdict | null;
  summary: string | null;
  createdAt: string;
  /** A short label for the list of earlier submissions. */
  label: string;
}

export type HealthCheckState = 'up' | 'down';

/**
 * The one answer of every health endpoint (`/api/health`, and `/health/live`, `/health/ready` on
 * the api's and the grader's ops port): `ok` with 200 when every check is up and the process is
 * not draining, `degraded` with 503 otherwise.
 */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  /** One entry per dependency: `postgres`, `redis`, and the grader's `sandbox`; none for liveness. */
  checks: Readonly<Record<string, HealthCheckState>>;
  /** Figures behind a check, e.g. the grader's `sandbox: { slots, ready, busy, restarts }`. */
  details?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One hint of an assignment, in the order the student sees them. */
export interface AssignmentHint {
  /** Markdown. */
  text: string;
  /** Failed submissions the student must have made before this hint can be revealed (0: none). */
  afterFailures: number;
}

/** Most hints one assignment may carry. */
export const MAX_HINTS = 10;

/** A revealed hint, numbered from 1. */
export interface RevealedHint {
  number: number;
  text: string;
}

/**
 * A student's hints for one assignment: those revealed so far and what stands before the next.
 * Never part of the shared assignment detail: it is one student's.
 */
export interface HintsView {
  total: number;
  revealed: RevealedHint[];
  /** The next hint, or null when every one is revealed (or there are none). */
  next: {
    number: number;
    /** Failed submissions still needed before it can be revealed; 0 when it can be now. */
    failuresNeeded: number;
  } | null;
}

/** Body of `POST /api/assignments/:idOrSlug/hints`. */
export interface RevealHintRequest {
  /**
   * The hint the page asks for (the `next.number` it was shown). Sent again (a double click),
   * it reveals nothing more. Absent: the next one.
   */
  number?: number;
}

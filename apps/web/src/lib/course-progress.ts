import type { AssignmentSummary, MeResponse } from '@koodi/contracts';

/** An entry of the course list with the student's own state merged in. */
export interface CourseEntry extends AssignmentSummary {
  solved: boolean;
}

/**
 * The shared course list (the same for everyone, cached by NGINX) joined with the student's solved
 * ids from GET /api/me, in course order. Without `me` (not loaded yet) nothing counts as solved.
 */
export function courseWithProgress(
  list: readonly AssignmentSummary[],
  me: Pick<MeResponse, 'solved'> | null,
): CourseEntry[] {
  const solved = new Set(me?.solved ?? []);
  return [...list]
    .sort((a, b) => a.position - b.position)
    .map((assignment) => ({ ...assignment, solved: solved.has(assignment.id) }));
}

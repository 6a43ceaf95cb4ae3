import { Injectable } from '@nestjs/common';
import {
  type AssignmentRef,
  type AssignmentSummary,
  type MeResponse,
  POINTS_PER_SOLVED,
} from '@koodi/contracts';
import { SubmissionRepository } from '@koodi/db';
import { AssignmentsService } from '../assignments/assignments.service';

/** Points are derived from passed submissions: 100 per distinct solved assignment. */
export function progressOf(
  userId: string,
  solvedIds: string[],
  course: AssignmentSummary[],
): MeResponse {
  const solved = new Set(solvedIds);
  const inCourse = course.filter((assignment) => solved.has(assignment.id));
  const next = course.find((assignment) => !solved.has(assignment.id));
  return {
    userId,
    points: inCourse.length * POINTS_PER_SOLVED,
    solved: inCourse.map((assignment) => assignment.id),
    next: next?.id ?? null,
    nextAfter: nextAfterEach(course, solved),
  };
}

/**
 * What "Next assignment" leads to from each assignment: the first unsolved one after it, else
 * the first unsolved one anywhere, else the following one (to revisit), else nothing.
 */
export function nextAfterEach(
  course: AssignmentSummary[],
  solved: ReadonlySet<string>,
): Record<string, AssignmentRef | null> {
  const ref = (a: AssignmentSummary | undefined): AssignmentRef | null =>
    a ? { id: a.id, slug: a.slug, title: a.title } : null;
  const result: Record<string, AssignmentRef | null> = {};
  course.forEach((assignment, index) => {
    const later = course.slice(index + 1);
    const pick =
      later.find((a) => !solved.has(a.id)) ??
      course.find((a) => !solved.has(a.id) && a.id !== assignment.id) ??
      later[0];
    result[assignment.id] = ref(pick);
  });
  return result;
}

@Injectable()
export class ProgressService {
  constructor(
    private readonly submissions: SubmissionRepository,
    private readonly assignments: AssignmentsService,
  ) {}

  async me(userId: string): Promise<MeResponse> {
    const [solvedIds, course] = await Promise.all([
      this.submissions.solvedAssignmentIds(userId),
      this.assignments.course(),
    ]);
    return progressOf(userId, solvedIds, course);
  }
}

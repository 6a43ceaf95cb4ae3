import type { SubmissionHistoryItem, SubmissionView } from '@koodi/contracts';
import type { SubmissionEntity, SubmissionHistoryRow } from '@koodi/db';
import { describeSubmission, describeTiming, historyLabel } from './submission-text';

const iso = (date: Date | string | null | undefined): string | null =>
  date ? new Date(date).toISOString() : null;

/** What the owner sees of a submission; never the code of anyone else, never hidden tests. */
export function toSubmissionView(
  row: SubmissionEntity,
  queuePosition: number | null,
): SubmissionView {
  const feedback = row.feedback;
  const described = {
    status: row.status,
    verdict: row.verdict,
    summary: feedback?.summary ?? null,
    queuePosition: row.status === 'queued' ? queuePosition : null,
    location: feedback?.location ?? null,
  };
  return {
    ...described,
    id: row.id,
    assignmentId: row.assignmentId,
    tests: feedback?.tests ?? [],
    output: feedback?.output ?? '',
    outputTruncated: feedback?.outputTruncated ?? false,
    createdAt: iso(row.createdAt)!,
    startedAt: iso(row.startedAt),
    gradedAt: iso(row.gradedAt),
    gradingMs: row.gradingMs,
    ...describeSubmission(described),
    // A final row that names a source took that source's verdict: reused, not graded.
    timing: describeTiming({
      status: row.status,
      gradingMs: row.gradingMs,
      reused: row.duplicateOf !== null,
    }),
  };
}

export function toHistoryItem(row: SubmissionHistoryRow): SubmissionHistoryItem {
  return {
    id: row.id,
    status: row.status,
    verdict: row.verdict,
    summary: row.summary,
    createdAt: iso(row.createdAt)!,
    label: historyLabel(row.status, row.verdict),
  };
}

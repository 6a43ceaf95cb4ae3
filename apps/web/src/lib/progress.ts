import type { AssignmentSummary } from '@koodi/contracts';

function byPosition(list: readonly AssignmentSummary[]): AssignmentSummary[] {
  return [...list].sort((a, b) => a.position - b.position);
}

/** Where a returning student resumes: the API's `next` when it names one, else the first unsolved. */
export function firstUnsolved(list: readonly AssignmentSummary[], preferredId: string | null): AssignmentSummary | null {
  const preferred = preferredId ? list.find((a) => a.id === preferredId && !a.solved) : undefined;
  return preferred ?? byPosition(list).find((a) => !a.solved) ?? null;
}

/** What "Next assignment" leads to: the first unsolved one after this, else any unsolved, else the following one. */
export function nextAfter(list: readonly AssignmentSummary[], currentId: string): AssignmentSummary | null {
  const sorted = byPosition(list);
  const index = sorted.findIndex((a) => a.id === currentId);
  const later = index === -1 ? [] : sorted.slice(index + 1);
  return (
    later.find((a) => !a.solved) ??
    sorted.find((a) => !a.solved && a.id !== currentId) ??
    later[0] ??
    null
  );
}

/** One line of a diff: kept, only in the old text (removed) or only in the new one (added). */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
  /** 1-based line number in the old text (same, removed) and in the new one (same, added). */
  oldLine?: number;
  newLine?: number;
}

/** Past this many cells the middle part is shown as removed then added, not aligned line by line. */
const MAX_CELLS = 4_000_000;

/**
 * A line diff of `before` against `after`: the common start and end are kept as they are, and the
 * rest is aligned by a longest common subsequence of lines. Small and dependency-free: the
 * texts are one student's code, 64 KB at most.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++)
    out.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  out.push(...alignMiddle(a, b, start, endA, endB));
  for (let i = endA, j = endB; i < a.length; i++, j++)
    out.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
  return out;
}

/** Whether a diff has any change in it. */
export function hasChanges(diff: DiffLine[]): boolean {
  return diff.some((line) => line.kind !== 'same');
}

function alignMiddle(
  a: string[],
  b: string[],
  start: number,
  endA: number,
  endB: number,
): DiffLine[] {
  const n = endA - start;
  const m = endB - start;
  const out: DiffLine[] = [];
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) out.push({ kind: 'removed', text: a[i]!, oldLine: i + 1 });
    for (let j = start; j < endB; j++) out.push({ kind: 'added', text: b[j]!, newLine: j + 1 });
    return out;
  }
  // lcs[i * (m + 1) + j]: length of the LCS of a[start + i ..] and b[start + j ..].
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      out.push({
        kind: 'same',
        text: a[start + i]!,
        oldLine: start + i + 1,
        newLine: start + j + 1,
      });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // On a tie the old line goes first: a changed line reads as removed, then added.
      out.push({ kind: 'removed', text: a[start + i]!, oldLine: start + i + 1 });
      i++;
    } else {
      out.push({ kind: 'added', text: b[start + j]!, newLine: start + j + 1 });
      j++;
    }
  }
  return out;
}

/** Lines without their endings; a final newline does not make an empty last line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

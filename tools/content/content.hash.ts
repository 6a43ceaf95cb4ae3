import { createHash } from 'node:crypto';
import type { AssignmentKind } from '@koodi/contracts';

/** The files of a `function` assignment folder, in the order they enter its content hash. */
export const ASSIGNMENT_FILES = [
  'assignment.md',
  'starter.py',
  'solution.py',
  'tests.py',
  'samples.py',
] as const;

/** The files of a `program` assignment folder: the cases (stdin, expected stdout) replace the tests. */
export const PROGRAM_FILES = ['assignment.md', 'starter.py', 'solution.py', 'cases.yaml'] as const;

/** Every file a folder may have, in the order they enter its content hash. */
export const CONTENT_FILES = [...ASSIGNMENT_FILES, 'cases.yaml'] as const;

export type AssignmentFileName = (typeof CONTENT_FILES)[number];

export const FILES_BY_KIND: Record<AssignmentKind, readonly AssignmentFileName[]> = {
  function: ASSIGNMENT_FILES,
  program: PROGRAM_FILES,
};

/**
 * sha256 over every file of the folder in a fixed order. Each file enters as its name, its
 * length and its bytes, so moving text from one file to another still changes the hash; a file
 * the folder's kind does not have is left out (so a `function` folder hashes as it always has).
 */
export function contentHash(files: Readonly<Partial<Record<AssignmentFileName, string>>>): string {
  const hash = createHash('sha256');
  for (const name of CONTENT_FILES) {
    const text = files[name];
    if (text === undefined) continue;
    const bytes = Buffer.from(text, 'utf8');
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

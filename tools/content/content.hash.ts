import { createHash } from 'node:crypto';

/** The files of one assignment folder, in the order they enter its content hash. */
export const ASSIGNMENT_FILES = [
  'assignment.md',
  'starter.py',
  'solution.py',
  'tests.py',
  'samples.py',
] as const;

export type AssignmentFileName = (typeof ASSIGNMENT_FILES)[number];

/**
 * sha256 over every file of the folder in a fixed order. Each file enters as its name, its
 * length and its bytes, so moving text from one file to another still changes the hash.
 */
export function contentHash(files: Readonly<Record<AssignmentFileName, string>>): string {
  const hash = createHash('sha256');
  for (const name of ASSIGNMENT_FILES) {
    const bytes = Buffer.from(files[name], 'utf8');
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

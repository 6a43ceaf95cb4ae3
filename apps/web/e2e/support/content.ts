import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const contentDir = fileURLToPath(new URL('../../../../content/', import.meta.url));

/** The reference solution of an assignment, read from content/<NN>-<slug>/solution.py. */
export function solutionOf(slug: string): string {
  const folder = readdirSync(contentDir).find((name) => name.replace(/^\d+-/, '') === slug);
  if (!folder) throw new Error(`no content folder for ${slug}`);
  return readFileSync(`${contentDir}${folder}/solution.py`, 'utf8');
}

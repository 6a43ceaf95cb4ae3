// Module hooks for svelte-modules.ts: strip the types of a `.svelte.ts` file, then compile its runes.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileModule } from 'svelte/compiler';

interface LoadResult {
  format: string;
  source: string;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.endsWith('.svelte.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const javascript = stripTypeScriptTypes(await readFile(filename, 'utf8'));
  const { js } = compileModule(javascript, { filename, generate: 'client' });
  return { format: 'module', source: js.code, shortCircuit: true };
}

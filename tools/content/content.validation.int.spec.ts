// The content validation of every assignment in content/, one case per folder, in the real sandbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SandboxPool } from '@koodi/sandbox';
import { loadContent, type LoadedContent } from './content.loader.ts';
import { checkInSandbox } from './sandbox.check.ts';

const CONTENT_DIR = fileURLToPath(new URL('../../content', import.meta.url));
const folders = readdirSync(CONTENT_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
  .map((entry) => entry.name)
  .sort();

describe('content validation', () => {
  let pool: SandboxPool;
  let loaded: LoadedContent;

  before(async () => {
    pool = new SandboxPool({ slots: Math.min(availableParallelism(), 4) });
    await pool.start();
    loaded = await loadContent(CONTENT_DIR);
  });
  after(async () => {
    await pool?.close();
  });

  it('finds at least fifteen assignment folders', () => {
    assert.ok(folders.length >= 15, `only ${folders.length} folders in content/`);
  });

  for (const folder of folders) {
    it(folder, async () => {
      const problems = loaded.problems.filter((p) => p.folder === folder).map((p) => p.message);
      assert.deepEqual(problems, [], 'the folder should load without problems');
      const assignment = loaded.assignments.find((a) => a.folder === folder);
      assert.ok(assignment, `${folder} was not loaded`);

      const sandboxProblems = await checkInSandbox(assignment, pool);

      assert.deepEqual(
        sandboxProblems.map((p) => p.message),
        [],
        'the solution should pass tests.py and samples.py, and the starter should fail tests.py',
      );
    });
  }
});

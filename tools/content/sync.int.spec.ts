import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ContentDirFixture } from './content.fixtures.ts';
import { scratchDatabase } from '../migrate/scratch-database.ts';

const CLI = fileURLToPath(new URL('./sync.ts', import.meta.url));
const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!serverUrl || !redisUrl)
  throw new Error('DATABASE_URL and REDIS_URL must point at PostgreSQL and Redis');

function runCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('node tools/content/sync.ts', () => {
  let content: ContentDirFixture;
  before(async () => {
    content = await ContentDirFixture.create();
    await content.write('01-one');
  });
  after(async () => {
    await content?.cleanup();
  });

  it('lists every problem at once and exits 2', async () => {
    // One of the two given: the other is missing (a running local stack is not used then).
    const result = await runCli([], {
      CONTENT_DIR: content.dir,
      CONTENT_SANDBOX_SLOTS: 'many',
      DATABASE_URL: serverUrl,
    });

    assert.equal(result.code, 2);
    assert.match(result.stderr, /REDIS_URL is not set/);
    assert.match(result.stderr, /CONTENT_SANDBOX_SLOTS must be a whole number/);
  });

  it('--check validates without a database and prints one line per assignment', async () => {
    const result = await runCli(['--check'], { CONTENT_DIR: content.dir });

    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^valid +one \(01-one\)$/m);
    assert.match(result.stdout, /1 assignments valid/);
  });

  it('names the broken folder, says nothing changed and exits 1', async () => {
    await content.write('02-two', { 'starter.py': null });

    const result = await runCli(['--check'], { CONTENT_DIR: content.dir });

    assert.equal(result.code, 1);
    assert.match(result.stderr, /^content\/02-two: starter\.py is missing$/m);
    assert.match(result.stderr, /1 problem in 1 folder; nothing was changed\./);
    await content.remove('02-two');
  });

  it('refuses an unknown argument', async () => {
    const result = await runCli(['--bogus'], { CONTENT_DIR: content.dir });

    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown argument --bogus/);
  });

  it('syncs into DATABASE_URL: one line per assignment and a summary', async () => {
    const db = await scratchDatabase(serverUrl, 'koodi_content');
    try {
      const env = { CONTENT_DIR: content.dir, DATABASE_URL: db.url, REDIS_URL: redisUrl };
      const first = await runCli([], env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^created +one \(01-one\) [0-9a-f]{12}$/m);
      assert.match(
        first.stdout,
        /^1 assignments: 1 created, 0 updated, 0 unchanged; cache purged;/m,
      );

      const second = await runCli([], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^unchanged +one \(01-one\)/m);
      assert.match(second.stdout, /0 created, 0 updated, 1 unchanged/);
    } finally {
      await db.drop();
    }
  });
});

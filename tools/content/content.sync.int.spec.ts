import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ASSIGNMENT_CACHE_KEY, CACHE_PURGE_CHANNEL } from '@koodi/contracts';
import { Redis } from 'ioredis';
import pg from 'pg';
import { syncContent, type SyncReport } from './content.sync.ts';
import { assignmentFiles, ContentDirFixture, programFiles } from './content.fixtures.ts';
import { scratchDatabase, type ScratchDatabase } from '../migrate/scratch-database.ts';

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!serverUrl || !redisUrl)
  throw new Error('DATABASE_URL and REDIS_URL must point at PostgreSQL and Redis');
interface Row {
  slug: string;
  position: number;
  title: string;
  module_name: string;
  test_code: string;
  version: string;
  updated_at: Date;
}

describe(syncContent.name, () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  let content: ContentDirFixture;
  const sut = (options: { redisUrl?: string } = {}) =>
    syncContent({
      contentDir: content.dir,
      databaseUrl: db.url,
      redisUrl: options.redisUrl ?? redisUrl,
      slots: 2,
    });
  const rows = async (): Promise<Row[]> =>
    (
      await client.query<Row>(
        'SELECT slug, position, title, module_name, test_code, version, updated_at FROM assignments ORDER BY position',
      )
    ).rows;
  const outcomes = (report: SyncReport) => report.synced.map((s) => `${s.slug}:${s.outcome}`);

  before(async () => {
    db = await scratchDatabase(serverUrl, 'koodi_content');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    await content?.cleanup();
    content = await ContentDirFixture.create();
    await client.query('DELETE FROM assignments');
  });
  after(async () => {
    await content?.cleanup();
  });

  it('stores a program with its kind, every case as the tests and the visible ones as samples', async () => {
    await content.write('01-double');
    await content.write('02-echo', programFiles(2));

    const report = await sut();

    assert.deepEqual(report.problems, []);
    const stored = (
      await client.query<{ slug: string; kind: string; test_code: string; sample_test_code: string }>(
        'SELECT slug, kind, test_code, sample_test_code FROM assignments ORDER BY position',
      )
    ).rows;
    assert.deepEqual(
      stored.map((r) => [r.slug, r.kind]),
      [
        ['double', 'function'],
        ['echo', 'program'],
      ],
    );
    const cases = (text: string) =>
      (JSON.parse(text) as { cases: { name: string }[] }).cases.map((c) => c.name);
    assert.deepEqual(cases(stored[1].test_code), ['one line', 'two lines']);
    assert.deepEqual(cases(stored[1].sample_test_code), ['one line']);
  });

  it('stores the hints of the front matter, in order, and none for a folder without', async () => {
    await content.write('01-double', {
      'assignment.md':
        '---\ntitle: Double\nposition: 1\nmodule: double\nhints:\n  - Multiply.\n  - text: By two.\n    afterFailures: 2\n---\n\nReturn twice the number.\n',
    });
    await content.write('02-two');

    assert.deepEqual((await sut()).problems, []);

    const stored = (
      await client.query<{ slug: string; hints: unknown }>(
        'SELECT slug, hints FROM assignments ORDER BY position',
      )
    ).rows;
    assert.deepEqual(stored, [
      {
        slug: 'double',
        hints: [
          { text: 'Multiply.', afterFailures: 0 },
          { text: 'By two.', afterFailures: 2 },
        ],
      },
      { slug: 'two', hints: [] },
    ]);
  });

  it('creates every assignment, then a second run finds all of them unchanged', async () => {
    await content.write('01-one');
    await content.write('02-two');

    const first = await sut();
    assert.deepEqual(first.problems, []);
    assert.deepEqual(outcomes(first), ['one:created', 'two:created']);
    const stored = await rows();
    assert.deepEqual(
      stored.map((r) => [r.slug, r.position, r.title, r.module_name, r.test_code]),
      [
        ['one', 1, 'Double 1', 'double', assignmentFiles(1)['tests.py']],
        ['two', 2, 'Double 2', 'double', assignmentFiles(2)['tests.py']],
      ],
    );
    assert.deepEqual(
      stored.map((r) => r.version),
      first.synced.map((s) => s.version),
    );

    const second = await sut();
    assert.deepEqual(second.problems, []);
    assert.deepEqual(outcomes(second), ['one:unchanged', 'two:unchanged']);
    assert.deepEqual(await rows(), stored, 'an unchanged sync must not touch the rows');
  });

  it('updates only the folder whose files changed, with a new version', async () => {
    await content.write('01-one');
    await content.write('02-two');
    await sut();
    const before = await rows();

    await content.write('02-two', {
      'tests.py': assignmentFiles(2)['tests.py'] + '        self.assertEqual(double(0), 0)\n',
    });
    const report = await sut();

    assert.deepEqual(report.problems, []);
    assert.deepEqual(outcomes(report), ['one:unchanged', 'two:updated']);
    const after = await rows();
    assert.deepEqual(after[0], before[0]);
    assert.notEqual(after[1].version, before[1].version);
    assert.match(after[1].test_code, /double\(0\)/);
  });

  it('changes nothing when one folder is broken, and names it', async () => {
    await content.write('01-one');
    await content.write('02-two');
    await sut();
    const before = await rows();

    await content.write('01-one', {
      'assignment.md': assignmentFiles(1)['assignment.md'].replace('Double 1', 'Renamed'),
    });
    await content.write('02-two', { 'solution.py': 'def double(x):\n    return 3 * x\n' });
    await content.write('03-three', { 'samples.py': null });
    const report = await sut();

    assert.deepEqual(report.synced, []);
    assert.equal(report.cachePurged, false);
    assert.deepEqual(
      report.problems.map((p) => p.folder),
      ['02-two', '02-two', '03-three'],
      report.problems.map((p) => `${p.folder}: ${p.message}`).join('\n'),
    );
    assert.match(
      report.problems[0].message,
      /solution\.py does not pass (tests|samples)\.py: tests_failed/,
    );
    assert.equal(report.problems[2].message, 'samples.py is missing');
    assert.deepEqual(await rows(), before, 'the valid rename of 01-one must not be written either');
  });

  it('reports a starter that passes the tests and one that does not even import', async () => {
    await content.write('01-lazy', { 'starter.py': assignmentFiles(1)['solution.py'] });
    await content.write('02-crash', { 'starter.py': 'raise RuntimeError("boom")\n' });

    const report = await sut();

    assert.deepEqual(
      report.problems.map((p) => `${p.folder}: ${p.message.split(';')[0]}`),
      [
        '01-lazy: starter.py passes tests.py: the tests cannot tell the starter from a solution',
        '02-crash: starter.py should fail tests.py by failing tests, but it ends as import_error',
      ],
    );
    assert.deepEqual(await rows(), []);
  });

  it('reports tests that contain no test at all', async () => {
    await content.write('01-empty', { 'samples.py': 'import unittest\n' });

    const report = await sut();

    assert.deepEqual(report.problems, [
      {
        folder: '01-empty',
        message: 'samples.py has no tests (no unittest.TestCase methods named test_…)',
      },
    ]);
  });

  it("purges the API's assignment cache in Redis and tells every replica", async () => {
    const redis = new Redis(redisUrl);
    const subscriber = new Redis(redisUrl);
    try {
      const field = `content-sync-test-${randomBytes(4).toString('hex')}`;
      await redis.hset(ASSIGNMENT_CACHE_KEY, field, '{"cached":true}');
      const announced = new Promise<string>((resolve) =>
        subscriber.on('message', (_channel, message) => resolve(message)),
      );
      await subscriber.subscribe(CACHE_PURGE_CHANNEL);
      await content.write('01-one');

      const report = await sut();

      assert.deepEqual(report.problems, []);
      assert.equal(report.cachePurged, true);
      assert.equal(
        await redis.hget(ASSIGNMENT_CACHE_KEY, field),
        null,
        'the cached answer should be gone',
      );
      assert.equal(await announced, 'assignments');
    } finally {
      redis.disconnect();
      subscriber.disconnect();
    }
  });

  it('writes nothing when Redis cannot be reached', async () => {
    await content.write('01-one');

    await assert.rejects(sut({ redisUrl: 'redis://127.0.0.1:1' }));

    assert.deepEqual(await rows(), []);
  });

  it('reports slugs in the database that no longer have a folder, and keeps them', async () => {
    await content.write('01-one');
    await content.write('02-two');
    await sut();
    await content.remove('02-two');

    const report = await sut();

    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.orphans, ['two']);
    assert.deepEqual(
      (await rows()).map((r) => r.slug),
      ['one', 'two'],
    );
  });
});

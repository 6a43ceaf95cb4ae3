import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AssignmentHint } from '@koodi/contracts';
import { createDataSource } from '../data-source';
import { AssignmentRepository } from './assignment.repository';
import { HintRepository } from './hint.repository';
import { UserRepository } from './user.repository';

const HINTS: AssignmentHint[] = [
  { text: 'Start small.', afterFailures: 0 },
  { text: 'Loop over the lines.', afterFailures: 2 },
];

describe(HintRepository.name, () => {
  let dataSource: DataSource;
  let assignments: AssignmentRepository;
  let users: UserRepository;
  let sut: HintRepository;

  before(async () => {
    dataSource = await createDataSource({
      url: process.env.DATABASE_URL!,
      poolSize: 4,
    }).initialize();
    assignments = new AssignmentRepository(dataSource);
    users = new UserRepository(dataSource);
    sut = new HintRepository(dataSource);
  });
  after(() => dataSource.destroy());

  async function assignment(hints?: AssignmentHint[]) {
    const slug = `hints-${randomUUID().slice(0, 8)}`;
    await assignments.upsertBySlug({
      slug,
      position: 950,
      title: 'Hints',
      handoutMd: 'Hints.\n',
      starterCode: 'pass\n',
      moduleName: 'solution',
      testCode: 'import unittest\n',
      sampleTestCode: '',
      limits: {},
      ...(hints ? { hints } : {}),
      version: randomUUID(),
    });
    return (await assignments.findByIdOrSlug(slug))!;
  }

  it('stores the hints content sync writes, in order, and keeps them out of ordinary reads', async () => {
    const row = await assignment(HINTS);

    assert.deepEqual(await sut.hintsOf(row.id), HINTS);
    assert.equal((row as { hints?: unknown }).hints, undefined);
    assert.deepEqual(await sut.hintsOf((await assignment()).id), []);
    assert.deepEqual(await sut.hintsOf(randomUUID()), []);
  });

  it('counts what each student revealed, a repeated reveal (even at the same time) once', async () => {
    const row = await assignment(HINTS);
    const [ada, bob] = [await users.create(), await users.create()];

    await Promise.all([sut.reveal(ada.id, row.id, 0), sut.reveal(ada.id, row.id, 0)]);
    await sut.reveal(ada.id, row.id, 0);

    assert.equal(await sut.revealedCount(ada.id, row.id), 1);
    assert.equal(await sut.revealedCount(bob.id, row.id), 0);
    await sut.reveal(ada.id, row.id, 1);
    assert.equal(await sut.revealedCount(ada.id, row.id), 2);
  });

  it('counts a student’s failed submissions of the assignment, not passed ones nor others’', async () => {
    const row = await assignment(HINTS);
    const [ada, bob] = [await users.create(), await users.create()];
    const insert = (userId: string, status: string, verdict: string | null) =>
      dataSource.query(
        `INSERT INTO submissions (assignment_id, assignment_version, user_id, code, code_sha256, status, verdict, graded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE now() END)`,
        [
          row.id,
          row.version,
          userId,
          'x = 1\n',
          createHash('sha256').update(randomUUID()).digest('hex'),
          status,
          verdict,
        ],
      );
    await insert(ada.id, 'failed', 'tests_failed');
    await insert(ada.id, 'failed', 'syntax_error');
    await insert(ada.id, 'error', 'internal_error');
    await insert(ada.id, 'passed', 'passed');
    await insert(bob.id, 'failed', 'tests_failed');

    assert.equal(await sut.failedSubmissions(ada.id, row.id), 2);
    assert.equal(await sut.failedSubmissions(bob.id, row.id), 1);
  });
});

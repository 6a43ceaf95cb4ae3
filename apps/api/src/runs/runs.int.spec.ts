import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunView, SubmissionHistoryItem } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import { createAssignment, startTestApi, Student, type TestApi } from '../testing/api-harness';
import { passedRun, RunLaneStandIn } from '../testing/run-lane.stand-in';

type ErrorBody = {
  error: { code: string; message: string; details?: { retryAfterSeconds?: number } };
};

const countSubmissions = async (api: TestApi): Promise<number> =>
  Number((await api.dataSource.query('SELECT count(*)::int AS n FROM submissions'))[0].n);

describe('runs over HTTP', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi({ rateLimitRunsPerMinute: 4, runTimeoutGraceMs: 300 });
    assignment = await createAssignment(api, { limits: { wallSeconds: 1 } });
  });
  after(() => api.close());

  describe('with a grader on the lane', () => {
    let lane: RunLaneStandIn;

    before(async () => {
      lane = await RunLaneStandIn.start(api.config, (job) =>
        passedRun(`read ${JSON.stringify(job.stdin)}\n`),
      );
    });
    after(() => lane.close());

    it('answers 200 with the result in the same request, the samples and stdin sent to the lane', async () => {
      const student = new Student(api.url);
      const { status, body, response } = await student.run(assignment.slug, {
        code: 'x = 1\n',
        stdin: 'Ada\n',
      });

      assert.equal(status, 200);
      assert.equal(response.headers.get('cache-control'), 'private, no-store');
      assert.deepEqual(body as RunView, {
        status: 'passed',
        verdict: 'passed',
        summary: 'All 1 tests passed.',
        tests: [{ name: 'test_sample', outcome: 'passed', message: '' }],
        output: 'read "Ada\\n"\n',
        outputTruncated: false,
        location: null,
        durationMs: 3,
      });
      const job = lane.jobs.at(-1)!;
      assert.equal(job.code, 'x = 1\n');
      assert.equal(job.testCode, assignment.sampleTestCode);
      assert.equal(job.moduleName, assignment.moduleName);
      assert.equal(job.limits.wallSeconds, 1);
      assert.ok(job.deadline > Date.now() && job.deadline <= Date.now() + 1_300);
    });

    it('sends a program’s kind and its sample cases, never the hidden ones', async () => {
      const samples = JSON.stringify({
        compare: 'exact',
        cases: [{ name: 'sample', stdin: '1\n', stdout: '1\n', visible: true }],
      });
      const program = await createAssignment(api, {
        kind: 'program',
        moduleName: 'main',
        testCode: JSON.stringify({
          compare: 'exact',
          cases: [{ name: 'HIDDEN CASE', stdin: '2\n', stdout: '2\n', visible: false }],
        }),
        sampleTestCode: samples,
      });

      const { status } = await new Student(api.url).run(program.slug, {
        code: 'print(input())\n',
        stdin: '7\n',
      });
      const detail = await new Student(api.url).json<{ kind: string }>(
        `/api/assignments/${program.slug}`,
      );

      assert.equal(status, 200);
      const job = lane.jobs.at(-1)!;
      assert.equal(job.kind, 'program');
      assert.equal(job.testCode, samples);
      assert.equal(job.stdin, '7\n');
      assert.equal(detail.body.kind, 'program');
      assert.equal(
        lane.jobs.find((j) => j.testCode.includes('HIDDEN')),
        undefined,
      );
      assert.equal(
        (await new Student(api.url).run(assignment.id, { code: 'x = 1\n' })).status,
        200,
      );
      assert.equal(lane.jobs.at(-1)!.kind, 'function');
    });

    it('writes no submission and leaves the history empty', async () => {
      const student = new Student(api.url);
      const before = await countSubmissions(api);

      assert.equal((await student.run(assignment.id, { code: 'x = 1\n' })).status, 200);
      assert.equal((await student.run(assignment.id, { code: 'x = 2\n' })).status, 200);

      assert.equal(await countSubmissions(api), before);
      const history = await student.json<SubmissionHistoryItem[]>(
        `/api/assignments/${assignment.id}/submissions`,
      );
      assert.deepEqual(history.body, []);
    });

    it('limits runs per student with a limit of their own: 429 with Retry-After', async () => {
      const student = new Student(api.url);
      for (let i = 0; i < 4; i++)
        assert.equal((await student.run(assignment.id, { code: `x = ${i}\n` })).status, 200);

      const { status, body, response } = await student.run(assignment.id, { code: 'x = 5\n' });
      assert.equal(status, 429);
      assert.equal((body as ErrorBody).error.code, 'rate_limited');
      assert.ok(Number(response.headers.get('retry-after')) >= 1);
      // Submissions count against their own limit, not this one.
      assert.equal((await student.submit(assignment.id, { code: 'x = 6\n' })).status, 202);
      // Another student is not held back.
      assert.equal(
        (await new Student(api.url).run(assignment.id, { code: 'x = 1\n' })).status,
        200,
      );
    });

    for (const [label, body, status, code] of [
      ['no code', { stdin: '1' }, 400, 'invalid_submission'],
      ['stdin that is not a string', { code: 'x = 1', stdin: 7 }, 400, 'invalid_run'],
      ['a NUL in stdin', { code: 'x = 1', stdin: 'a\u0000' }, 400, 'invalid_run'],
      ['code over 64 KB', { code: 'x'.repeat(64 * 1024 + 1) }, 413, 'code_too_large'],
      [
        'stdin over 64 KB',
        { code: 'x = 1', stdin: 'x'.repeat(64 * 1024 + 1) },
        413,
        'stdin_too_large',
      ],
    ] as const) {
      it(`answers ${status} for ${label}, running nothing`, async () => {
        const ran = lane.jobs.length;
        const answer = await new Student(api.url).run(assignment.id, body);
        assert.equal(answer.status, status);
        assert.equal((answer.body as ErrorBody).error.code, code);
        assert.equal(lane.jobs.length, ran);
      });
    }

    it('answers 404 for an unknown assignment', async () => {
      const answer = await new Student(api.url).run('no-such-assignment', { code: 'x = 1' });
      assert.equal(answer.status, 404);
    });
  });

  it('answers 503 with Retry-After at once when no grader takes runs', async () => {
    // Past the second for which the replica believes the last lookup of the lane's consumers.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const started = Date.now();
    const { status, body, response } = await new Student(api.url).run(assignment.id, {
      code: 'x = 1\n',
    });

    assert.equal(status, 503);
    assert.equal((body as ErrorBody).error.code, 'run_unavailable');
    assert.equal(response.headers.get('retry-after'), '5');
    assert.ok(Date.now() - started < 1_000);
  });

  it('answers 503 within the wall limit and its grace when the grader never answers', async () => {
    let taken = 0;
    const lane = await RunLaneStandIn.start(api.config, () => {
      taken++;
      return new Promise<never>(() => undefined);
    });
    try {
      // The lane's consumers are looked up at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const started = Date.now();
      const { status, body } = await new Student(api.url).run(assignment.id, { code: 'x = 1\n' });
      const tookMs = Date.now() - started;

      assert.equal(status, 503);
      assert.equal((body as ErrorBody).error.code, 'run_unavailable');
      assert.equal(taken, 1);
      assert.ok(tookMs >= 1_200 && tookMs < 3_000, `answered after ${tookMs} ms`);
    } finally {
      await lane.close();
    }
  });

  it('answers 503 when the grader fails the run', async () => {
    const lane = await RunLaneStandIn.start(api.config, () => {
      throw new Error('sandbox zygote exited unexpectedly');
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const { status, body } = await new Student(api.url).run(assignment.id, { code: 'x = 1\n' });
      assert.equal(status, 503);
      assert.equal((body as ErrorBody).error.code, 'run_unavailable');
    } finally {
      await lane.close();
    }
  });
});

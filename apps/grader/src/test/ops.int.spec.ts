import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGrader, type Grader } from '../app/grader.app';
import type { HealthResponse } from '@koodi/contracts';
import { OpsServer } from '@koodi/server';
import { GradingFixtures, PASSING, testConfig, uniqueQueue } from './grading.fixtures';

describe(OpsServer.name, () => {
  const queue = uniqueQueue('ops');
  let fixtures: GradingFixtures;
  let grader: Grader;
  let base: string;

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    grader = await createGrader(testConfig(queue));
    await grader.app.listen();
    base = `http://127.0.0.1:${grader.app.get(OpsServer).port}`;
  });

  after(async () => {
    await grader?.app.close();
    await fixtures?.close();
  });

  it('reports ready when Postgres, Redis and the sandboxes are', async () => {
    for (const path of ['/health/ready', '/health']) {
      const response = await fetch(`${base}${path}`);
      const body = (await response.json()) as HealthResponse;

      assert.equal(response.status, 200, path);
      assert.equal(body.status, 'ok', path);
      assert.deepEqual(body.checks, { postgres: 'up', redis: 'up', sandbox: 'up' }, path);
      assert.equal(body.details?.sandbox?.slots, 2, path);
    }
  });

  it('binds loopback only unless OPS_HOST says otherwise', () => {
    assert.equal(grader.app.get(OpsServer).address, '127.0.0.1');
  });

  it('answers liveness without touching dependencies', async () => {
    const response = await fetch(`${base}/health/live`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', checks: {} } satisfies HealthResponse);
  });

  it('serves Prometheus metrics counting graded jobs by verdict', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, PASSING);
    await fixtures.enqueue(submission.id);
    await fixtures.waitForFinal(submission.id);

    const response = await fetch(`${base}/metrics`);
    const text = await response.text();

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(text, /^koodi_grader_jobs_total\{verdict="passed"\} 1$/m);
    assert.match(text, /^koodi_grader_grading_duration_seconds_count 1$/m);
    assert.match(text, /^koodi_grader_sandbox_slots 2$/m);
    assert.match(text, /^koodi_grader_sandbox_slots_busy 0$/m);
  });

  it('answers 404 for anything else and 405 for writes', async () => {
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });
});

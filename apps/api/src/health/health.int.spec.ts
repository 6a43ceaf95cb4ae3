import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoutes, type HealthResponse } from '@koodi/contracts';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, REDIS } from '../infra/infra.providers';
import { OpsServer } from '@koodi/server';
import { startTestApi, type TestApi } from '../testing/api-harness';

describe('health, readiness and metrics', () => {
  let api: TestApi;
  let ops: string;

  before(async () => {
    api = await startTestApi();
    ops = `http://127.0.0.1:${api.app.get(OpsServer).port}`;
  });
  after(() => api.close());

  it('serves liveness, readiness and Prometheus metrics on the ops port only', async () => {
    const live = await fetch(`${ops}/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual((await live.json()) as HealthResponse, { status: 'ok', checks: {} });
    for (const path of ['/health/ready', '/health']) {
      const ready = await fetch(`${ops}${path}`);
      assert.equal(ready.status, 200, path);
      assert.deepEqual((await ready.json()) as HealthResponse, {
        status: 'ok',
        checks: { postgres: 'up', redis: 'up' },
      });
    }
    const publicHealth = await fetch(api.url + apiRoutes.health());
    assert.deepEqual((await publicHealth.json()) as HealthResponse, {
      status: 'ok',
      checks: { postgres: 'up', redis: 'up' },
    });
    await fetch(api.url + apiRoutes.assignments());
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    for (const name of [
      'koodi_api_http_request_duration_seconds_bucket',
      'koodi_submissions{status="queued"}',
      'koodi_grading_queue_depth',
      'koodi_grading_queue_oldest_age_seconds',
      'koodi_graded_last_5m',
    ]) {
      assert.ok(metrics.includes(name), `${name} missing`);
    }
    assert.match(metrics, /route="\/api\/assignments",status="200"/);
    assert.equal((await fetch(api.url + '/metrics')).status, 404, 'not on the public port');
  });

  it('answers 503 naming what is down when Redis, then Postgres, cannot be reached', async () => {
    api.app.get<Redis>(REDIS).disconnect();
    const redisDown = await fetch(api.url + apiRoutes.health());
    assert.equal(redisDown.status, 503);
    assert.deepEqual((await redisDown.json()) as HealthResponse, {
      status: 'degraded',
      checks: { postgres: 'up', redis: 'down' },
    });
    const readyDown = await fetch(`${ops}/health/ready`);
    assert.equal(readyDown.status, 503);
    assert.deepEqual((await readyDown.json()) as HealthResponse, {
      status: 'degraded',
      checks: { postgres: 'up', redis: 'down' },
    });

    await api.app.get<DataSource>(DATA_SOURCE).destroy();
    const bothDown = (await (await fetch(api.url + apiRoutes.health())).json()) as HealthResponse;
    assert.deepEqual(bothDown, { status: 'degraded', checks: { postgres: 'down', redis: 'down' } });
    assert.equal((await fetch(`${ops}/health/live`)).status, 200, 'the process itself is alive');
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthResponse } from '@koodi/contracts';
import { Counter, Registry } from 'prom-client';
import { OpsServer } from './ops.server';

describe(OpsServer.name, () => {
  const registry = new Registry();
  new Counter({ name: 'koodi_test_things_total', help: 'Things.', registers: [registry] }).inc(3);
  let ready: HealthResponse = { status: 'ok', checks: { postgres: 'up' } };
  let sut: OpsServer;
  let base: string;

  before(async () => {
    sut = new OpsServer({ host: '127.0.0.1', port: 0, registry, ready: async () => ready });
    await sut.onApplicationBootstrap();
    base = `http://127.0.0.1:${sut.port}`;
  });
  after(() => sut.onApplicationShutdown());

  it('binds the host it is given', () => {
    assert.equal(sut.address, '127.0.0.1');
    assert.ok(sut.port > 0);
  });

  it('answers liveness without asking the readiness checks', async () => {
    ready = { status: 'degraded', checks: { postgres: 'down' } };
    const response = await fetch(`${base}/health/live`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { status: 'ok', checks: {} });
  });

  it('answers readiness at /health/ready and /health with the checks, 503 when one is down', async () => {
    for (const path of ['/health/ready', '/health']) {
      ready = { status: 'ok', checks: { postgres: 'up' } };
      const ok = await fetch(`${base}${path}?probe=1`);
      assert.equal(ok.status, 200, path);
      assert.deepEqual(await ok.json(), ready);
      ready = { status: 'degraded', checks: { postgres: 'down' } };
      const down = await fetch(`${base}${path}`);
      assert.equal(down.status, 503, path);
      assert.deepEqual(await down.json(), ready);
    }
  });

  it('serves the registry as Prometheus text', async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await response.text(), /^koodi_test_things_total 3$/m);
  });

  it('answers 404 for anything else and 405 for writes, as JSON errors', async () => {
    const missing = await fetch(`${base}/`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), {
      error: { code: 'not_found', message: 'No such endpoint.' },
    });
    const write = await fetch(`${base}/metrics`, { method: 'POST' });
    assert.equal(write.status, 405);
    assert.equal(
      ((await write.json()) as { error: { code: string } }).error.code,
      'method_not_allowed',
    );
  });

  it('answers 500 when a check throws, and keeps serving', async () => {
    const failing = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      ready: () => Promise.reject(new Error('boom')),
    });
    await failing.onApplicationBootstrap();
    try {
      const response = await fetch(`http://127.0.0.1:${failing.port}/health/ready`);
      assert.equal(response.status, 500);
      assert.equal(
        ((await response.json()) as { error: { code: string } }).error.code,
        'internal_error',
      );
      assert.equal((await fetch(`http://127.0.0.1:${failing.port}/health/live`)).status, 200);
    } finally {
      await failing.onApplicationShutdown();
    }
  });
});

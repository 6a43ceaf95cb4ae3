import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { checkHealth, HEALTH_PROBE_TIMEOUT_MS, healthStatusCode } from './health';

const up = async () => 'PONG';
const down = async () => {
  throw new Error('ECONNREFUSED');
};

describe(checkHealth.name, () => {
  it('is ok with 200 when every probe answers', async () => {
    const sut = await checkHealth({ postgres: up, redis: up });
    assert.deepEqual(sut, { status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    assert.equal(healthStatusCode(sut), 200);
  });

  it('is degraded with 503, naming what is down', async () => {
    const sut = await checkHealth({ postgres: up, redis: down });
    assert.deepEqual(sut, { status: 'degraded', checks: { postgres: 'up', redis: 'down' } });
    assert.equal(healthStatusCode(sut), 503);
  });

  it('is degraded while draining even when everything is up, and carries the details', async () => {
    const sut = await checkHealth(
      { redis: up },
      { draining: true, details: { sandbox: { slots: 2 } } },
    );
    assert.deepEqual(sut, {
      status: 'degraded',
      checks: { redis: 'up' },
      details: { sandbox: { slots: 2 } },
    });
  });

  it('counts a probe that does not answer in time as down', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const pending = checkHealth({ postgres: () => new Promise(() => undefined), redis: up });
      await new Promise(setImmediate);
      mock.timers.tick(HEALTH_PROBE_TIMEOUT_MS);
      assert.deepEqual(await pending, {
        status: 'degraded',
        checks: { postgres: 'down', redis: 'up' },
      });
    } finally {
      mock.timers.reset();
    }
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_ENV } from '@koodi/contracts';
import { ConfigError, loadApiConfig } from './api.config';

const valid = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe(loadApiConfig.name, () => {
  const sut = loadApiConfig;

  it('fills in the documented defaults', () => {
    const config = sut(valid);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 3000);
    assert.equal(config.opsPort, 9100);
    assert.equal(config.gradingQueue, '{grading}:queue');
    assert.equal(config.rateLimitSubmissionsPerMinute, 10);
    assert.equal(config.rateLimitIpPerMinute, 3000);
    assert.equal(config.runQueue, '{run}:queue');
    assert.equal(config.rateLimitRunsPerMinute, 30);
    assert.equal(config.runTimeoutGraceMs, 3000);
    assert.equal(config.production, false);
    assert.equal(config.cookieSecretIsDefault, true);
  });

  it('lists every bad variable at once', () => {
    try {
      sut({
        REDIS_URL: 'http://nope',
        API_PORT: 'eighty',
        RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '-1',
        LOG_LEVEL: 'loud',
      });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      for (const name of [
        'DATABASE_URL',
        'REDIS_URL',
        'API_PORT',
        'RATE_LIMIT_SUBMISSIONS_PER_MINUTE',
        'LOG_LEVEL',
      ]) {
        assert.match(text, new RegExp(name));
      }
      assert.equal(error.problems.length, 5);
    }
  });

  it('takes a redis+cluster:// seed list and then wants a hash-tagged queue', () => {
    const cluster = { ...valid, REDIS_URL: 'redis+cluster://:pw@10.0.0.1:6379,10.0.0.2:6379' };
    assert.equal(sut(cluster).redisUrl, cluster.REDIS_URL);
    assert.throws(
      () => sut({ ...cluster, GRADING_QUEUE: 'grading:queue' }),
      /GRADING_QUEUE: queue "grading:queue" needs a hash tag/,
    );
    assert.throws(
      () => sut({ ...valid, REDIS_URL: 'redis+cluster://:s3cret@10.0.0.1' }),
      (error: Error) =>
        /REDIS_URL: cluster node "10.0.0.1" must be host:port/.test(error.message) &&
        !error.message.includes('s3cret'),
    );
  });

  it('wants the Run lane on a list of its own, hash-tagged on a cluster', () => {
    assert.throws(
      () => sut({ ...valid, GRADING_QUEUE: 'q', RUN_QUEUE: 'q' }),
      /RUN_QUEUE must differ from GRADING_QUEUE/,
    );
    assert.throws(
      () => sut({ ...valid, REDIS_URL: 'redis+cluster://10.0.0.1:6379', RUN_QUEUE: 'run:queue' }),
      /RUN_QUEUE: queue "run:queue" needs a hash tag/,
    );
    assert.throws(
      () => sut({ ...valid, RATE_LIMIT_RUNS_PER_MINUTE: '-1' }),
      /RATE_LIMIT_RUNS_PER_MINUTE must be an integer/,
    );
  });

  it('requires a strong COOKIE_SECRET in production', () => {
    assert.throws(() => sut({ ...valid, NODE_ENV: 'production' }), /COOKIE_SECRET is required/);
    assert.throws(
      () => sut({ ...valid, NODE_ENV: 'production', COOKIE_SECRET: 'short' }),
      /at least 32/,
    );
    const config = sut({ ...valid, NODE_ENV: 'production', COOKIE_SECRET: 's'.repeat(32) });
    assert.equal(config.production, true);
    assert.equal(config.cookieSecretIsDefault, false);
  });

  it('refuses the same port for the API and the ops endpoints', () => {
    assert.throws(
      () => sut({ ...valid, API_PORT: '4000', OPS_PORT: '4000' }),
      /OPS_PORT must differ/,
    );
  });

  it('reads TRUST_PROXY as a boolean or a list of addresses', () => {
    assert.equal(sut({ ...valid, TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(sut({ ...valid, TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(sut({ ...valid, TRUST_PROXY: '10.0.0.0/8' }).trustProxy, '10.0.0.0/8');
  });

  it('takes Redis from sentinels when REDIS_SENTINELS is set, and names a half-set pair', () => {
    const config = sut({
      DATABASE_URL: valid.DATABASE_URL,
      REDIS_SENTINELS: 'a:26379,b:26379',
      REDIS_SENTINEL_NAME: 'koodi',
    });
    assert.equal(config.redisUrl, 'redis-sentinel://a:26379,b:26379/koodi/0');
    assert.throws(
      () => sut({ DATABASE_URL: valid.DATABASE_URL, REDIS_SENTINELS: 'a:26379' }),
      (error: unknown) =>
        error instanceof ConfigError && /REDIS_SENTINEL_NAME/.test(error.problems.join()),
    );
    assert.throws(
      () => sut({ ...valid, REDIS_SENTINEL_NAME: 'koodi' }),
      (error: unknown) =>
        error instanceof ConfigError && /REDIS_SENTINELS/.test(error.problems.join()),
    );
    assert.throws(
      () =>
        sut({
          ...valid,
          REDIS_URL: 'redis+cluster://127.0.0.1:7000',
          REDIS_SENTINELS: 'a:26379',
          REDIS_SENTINEL_NAME: 'koodi',
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /cannot be combined with a cluster/.test(error.problems.join()),
    );
  });

  it("reads pino's levels, and the grader's older `log` and `verbose` as `info` and `trace`", () => {
    assert.equal(sut({ ...valid, LOG_LEVEL: 'warn' }).logLevel, 'warn');
    assert.equal(sut({ ...valid, LOG_LEVEL: 'log' }).logLevel, 'info');
    assert.equal(sut({ ...valid, LOG_LEVEL: 'verbose' }).logLevel, 'trace');
  });

  it('reads exactly the variables API_ENV declares', () => {
    const read = new Set<string>();
    const env = new Proxy({ ...valid } as NodeJS.ProcessEnv, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    sut(env);
    assert.deepEqual([...read].sort(), Object.keys(API_ENV).sort());
  });
});

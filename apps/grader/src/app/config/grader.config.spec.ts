import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { GRADER_ENV } from '@koodi/contracts';
import { ConfigError } from '@koodi/server';
import { loadGraderConfig } from './grader.config';

const required = {
  DATABASE_URL: 'postgres://koodi:secret@db:5432/koodi',
  REDIS_URL: 'redis://redis:6379',
};

describe('loadGraderConfig', () => {
  it('takes Redis from sentinels when REDIS_SENTINELS is set, and names a half-set pair', () => {
    const sut = loadGraderConfig({
      DATABASE_URL: required.DATABASE_URL,
      REDIS_SENTINELS: 'a:26379',
      REDIS_SENTINEL_NAME: 'koodi',
    });
    assert.equal(sut.redisUrl, 'redis-sentinel://a:26379/koodi/0');
    assert.throws(
      () => loadGraderConfig({ DATABASE_URL: required.DATABASE_URL, REDIS_SENTINELS: 'a:26379' }),
      (error: unknown) =>
        error instanceof ConfigError && /REDIS_SENTINEL_NAME/.test(error.problems.join()),
    );
  });

  it('fills in the documented defaults', () => {
    const sut = loadGraderConfig(required);

    assert.equal(sut.gradingQueue, '{grading}:queue');
    assert.equal(sut.runQueue, '{run}:queue');
    assert.equal(sut.runSlots, 1);
    assert.equal(sut.slots, availableParallelism());
    assert.match(sut.graderId, new RegExp(`-${process.pid}$`));
    assert.equal(sut.opsHost, '127.0.0.1');
    assert.equal(sut.opsPort, 9200);
    assert.equal(sut.heartbeatTtlMs, 10_000);
    assert.equal(sut.shutdownGraceSeconds, 10);
    assert.equal(sut.sandboxBwrap, '/usr/bin/bwrap');
    assert.equal(sut.sandboxPython, '/usr/bin/python3');
    assert.equal(sut.logLevel, 'info');
  });

  it('reads every variable', () => {
    const sut = loadGraderConfig({
      ...required,
      GRADING_QUEUE: 'grading:test',
      RUN_QUEUE: 'run:test',
      RUN_SLOTS: '0',
      GRADER_SLOTS: '2',
      GRADER_ID: 'grader-a',
      OPS_HOST: '0.0.0.0',
      OPS_PORT: '0',
      HEARTBEAT_TTL_MS: '1500',
      SHUTDOWN_GRACE_SECONDS: '0',
      SANDBOX_BWRAP: '/opt/bwrap',
      SANDBOX_PYTHON: '/opt/python3',
      LOG_LEVEL: 'debug',
    });

    assert.deepEqual(
      { ...sut, databaseUrl: undefined, redisUrl: undefined },
      {
        databaseUrl: undefined,
        redisUrl: undefined,
        gradingQueue: 'grading:test',
        runQueue: 'run:test',
        runSlots: 0,
        slots: 2,
        graderId: 'grader-a',
        opsHost: '0.0.0.0',
        opsPort: 0,
        heartbeatTtlMs: 1500,
        shutdownGraceSeconds: 0,
        sandboxBwrap: '/opt/bwrap',
        sandboxPython: '/opt/python3',
        logLevel: 'debug',
      },
    );
  });

  it('lists every bad variable at once', () => {
    const error = (() => {
      try {
        loadGraderConfig({
          REDIS_URL: 'http://redis',
          GRADER_SLOTS: 'many',
          OPS_PORT: '70000',
          HEARTBEAT_TTL_MS: '-1',
          SANDBOX_BWRAP: 'bwrap',
          LOG_LEVEL: 'loud',
          GRADER_ID: 'a b',
        });
      } catch (caught) {
        return caught;
      }
      return null;
    })();

    assert.ok(error instanceof ConfigError);
    const named = [
      'DATABASE_URL',
      'REDIS_URL',
      'GRADER_SLOTS',
      'OPS_PORT',
      'HEARTBEAT_TTL_MS',
      'SANDBOX_BWRAP',
      'LOG_LEVEL',
      'GRADER_ID',
    ];
    for (const name of named) {
      assert.ok(
        error.problems.some((p) => p.startsWith(name)),
        `${name} is reported`,
      );
    }
    assert.equal(error.problems.length, named.length);
  });

  it('refuses a Run lane on the grading queue itself, or a bad number of Run slots', () => {
    assert.throws(
      () => loadGraderConfig({ ...required, GRADING_QUEUE: 'q', RUN_QUEUE: 'q' }),
      /RUN_QUEUE must differ from GRADING_QUEUE/,
    );
    assert.throws(
      () => loadGraderConfig({ ...required, RUN_SLOTS: 'lots' }),
      /RUN_SLOTS must be an integer from 0 to 64/,
    );
  });

  it('never repeats a database password in its message', () => {
    assert.throws(
      () => loadGraderConfig({ ...required, DATABASE_URL: 'mysql://koodi:hunter2@db/koodi' }),
      (error: Error) => !error.message.includes('hunter2') && /DATABASE_URL/.test(error.message),
    );
  });

  it("speaks pino's levels, and reads the older `log` and `verbose` as `info` and `trace`", () => {
    assert.equal(loadGraderConfig({ ...required, LOG_LEVEL: 'trace' }).logLevel, 'trace');
    assert.equal(loadGraderConfig({ ...required, LOG_LEVEL: 'silent' }).logLevel, 'silent');
    assert.equal(loadGraderConfig({ ...required, LOG_LEVEL: 'log' }).logLevel, 'info');
    assert.equal(loadGraderConfig({ ...required, LOG_LEVEL: 'verbose' }).logLevel, 'trace');
    assert.throws(
      () => loadGraderConfig({ ...required, LOG_LEVEL: 'toString' }),
      /LOG_LEVEL must be one of/,
    );
  });

  it('reads exactly the variables GRADER_ENV declares', () => {
    const read = new Set<string>();
    const env = new Proxy({ ...required } as Record<string, string | undefined>, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    loadGraderConfig(env);
    assert.deepEqual([...read].sort(), Object.keys(GRADER_ENV).sort());
  });
});

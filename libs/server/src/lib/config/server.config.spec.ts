import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_ENV, GRADER_ENV, GRADING_QUEUE, RUN_QUEUE } from '@koodi/contracts';
import { ConfigError } from './config.error';
import { EnvReader } from './env.reader';
import { readServerConfig } from './server.config';

const valid = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  const reader = new EnvReader(GRADER_ENV, env);
  readServerConfig(reader);
  try {
    reader.finish({});
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

describe(readServerConfig.name, () => {
  it('reads the variables both apps share, with each app’s own OPS_PORT default', () => {
    const grader = readServerConfig(new EnvReader(GRADER_ENV, valid));
    assert.deepEqual(grader, {
      databaseUrl: valid.DATABASE_URL,
      redisUrl: valid.REDIS_URL,
      gradingQueue: GRADING_QUEUE,
      runQueue: RUN_QUEUE,
      opsHost: '127.0.0.1',
      opsPort: 9200,
      logLevel: 'info',
      shutdownGraceSeconds: 10,
    });
    assert.equal(readServerConfig(new EnvReader(API_ENV, valid)).opsPort, 9100);
  });

  it('wants the Run lane on a list of its own, without spaces', () => {
    assert.deepEqual(problemsOf({ ...valid, RUN_QUEUE: GRADING_QUEUE }), [
      'RUN_QUEUE must differ from GRADING_QUEUE',
    ]);
    assert.deepEqual(problemsOf({ ...valid, RUN_QUEUE: 'run queue' }), [
      'RUN_QUEUE must not contain spaces',
    ]);
  });

  it('takes one shutdown variable, in seconds, from 0 to 600', () => {
    assert.equal(
      readServerConfig(new EnvReader(API_ENV, { ...valid, SHUTDOWN_GRACE_SECONDS: '600' }))
        .shutdownGraceSeconds,
      600,
    );
    assert.deepEqual(problemsOf({ ...valid, SHUTDOWN_GRACE_SECONDS: '601' }), [
      'SHUTDOWN_GRACE_SECONDS must be an integer from 0 to 600, got "601"',
    ]);
  });

  it('wants a hash-tagged queue on a cluster, without spaces anywhere', () => {
    const cluster = { ...valid, REDIS_URL: 'redis+cluster://:pw@10.0.0.1:6379,10.0.0.2:6379' };
    assert.deepEqual(problemsOf(cluster), []);
    assert.match(
      problemsOf({ ...cluster, GRADING_QUEUE: 'grading:queue' }).join(),
      /GRADING_QUEUE: queue "grading:queue" needs a hash tag/,
    );
    assert.deepEqual(problemsOf({ ...valid, GRADING_QUEUE: 'a queue' }), [
      'GRADING_QUEUE must not contain spaces',
    ]);
  });

  it('names a bad cluster node without its password', () => {
    const problems = problemsOf({ ...valid, REDIS_URL: 'redis+cluster://:s3cret@10.0.0.1' }).join();
    assert.match(problems, /REDIS_URL: cluster node "10.0.0.1" must be host:port/);
    assert.doesNotMatch(problems, /s3cret/);
  });

  it('takes Redis from sentinels, and names a half-set pair or a cluster with sentinels', () => {
    const reader = new EnvReader(GRADER_ENV, {
      DATABASE_URL: valid.DATABASE_URL,
      REDIS_SENTINELS: 'a:26379',
      REDIS_SENTINEL_NAME: 'koodi',
    });
    assert.equal(readServerConfig(reader).redisUrl, 'redis-sentinel://a:26379/koodi/0');
    assert.match(
      problemsOf({ DATABASE_URL: valid.DATABASE_URL, REDIS_SENTINELS: 'a:26379' }).join(),
      /REDIS_SENTINEL_NAME/,
    );
    assert.match(problemsOf({ ...valid, REDIS_SENTINEL_NAME: 'koodi' }).join(), /REDIS_SENTINELS/);
    assert.match(
      problemsOf({
        ...valid,
        REDIS_URL: 'redis+cluster://127.0.0.1:7000',
        REDIS_SENTINELS: 'a:26379',
        REDIS_SENTINEL_NAME: 'koodi',
      }).join(),
      /cannot be combined with a cluster/,
    );
  });

  it('requires Postgres and Redis URLs, naming both when both are missing', () => {
    assert.deepEqual(problemsOf({}), [
      'REDIS_URL is required (e.g. redis://host:6379)',
      'DATABASE_URL is required (e.g. postgres://user:password@host:5432/koodi)',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRedis,
  disconnect,
  REDIS_KEEPALIVE_MS,
  REDIS_SOCKET_TIMEOUT_MS,
  redisConnectionOptions,
  redisTarget,
} from './redis-connection';

describe(redisTarget.name, () => {
  it('is REDIS_URL when no sentinels are named', () => {
    assert.equal(redisTarget({ REDIS_URL: 'redis://cache:6379/2' }), 'redis://cache:6379/2');
  });

  it('names the sentinels, the group, and REDIS_URL’s password and database', () => {
    assert.equal(
      redisTarget({
        REDIS_SENTINELS: 's1:26379, s2:26379,10.0.0.3:26380',
        REDIS_SENTINEL_NAME: 'koodi',
      }),
      'redis-sentinel://s1:26379,s2:26379,10.0.0.3:26380/koodi/0',
    );
    assert.equal(
      redisTarget({
        REDIS_SENTINELS: 's1:26379',
        REDIS_SENTINEL_NAME: 'koodi',
        REDIS_URL: 'redis://:p%40ss@ignored:1/3',
      }),
      'redis-sentinel://:p%40ss@s1:26379/koodi/3',
    );
  });

  it('refuses half a configuration or a malformed list, without echoing a password', () => {
    assert.throws(() => redisTarget({}), /REDIS_URL .* or REDIS_SENTINELS/);
    assert.throws(() => redisTarget({ REDIS_SENTINELS: 's1:26379' }), /REDIS_SENTINEL_NAME/);
    assert.throws(
      () => redisTarget({ REDIS_SENTINEL_NAME: 'koodi', REDIS_URL: 'redis://x' }),
      /REDIS_SENTINELS is not/,
    );
    assert.throws(
      () => redisTarget({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'koodi' }),
      /host:port/,
    );
    assert.throws(
      () => redisTarget({ REDIS_SENTINELS: 's1:99999', REDIS_SENTINEL_NAME: 'koodi' }),
      /host:port/,
    );
    assert.throws(
      () => redisTarget({ REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_NAME: 'a/b' }),
      /REDIS_SENTINEL_NAME/,
    );
    assert.throws(
      () =>
        redisTarget({
          REDIS_SENTINELS: 's1:1',
          REDIS_SENTINEL_NAME: 'k',
          REDIS_URL: 'not a url secret',
        }),
      (error: Error) => /not a valid URL/.test(error.message) && !error.message.includes('secret'),
    );
  });
});

describe(redisConnectionOptions.name, () => {
  it('leaves a plain URL to ioredis', () => {
    assert.deepEqual(redisConnectionOptions('redis://cache:6379'), {});
  });

  it('turns a Sentinel target into ioredis sentinel options that follow a failover', () => {
    const options = redisConnectionOptions('redis-sentinel://:pw@s1:26379,[::1]:26380/koodi/4');
    assert.deepEqual(options.sentinels, [
      { host: 's1', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    assert.equal(options.name, 'koodi');
    assert.equal(options.db, 4);
    assert.equal(options.password, 'pw');
    assert.equal(options.sentinelPassword, 'pw');
    assert.equal(options.failoverDetector, true);
  });

  it('refuses a malformed target without echoing it', () => {
    for (const bad of [
      'redis-sentinel://s1:26379',
      'redis-sentinel://s1/koodi',
      'redis-sentinel://:secret@s1:1/k/x',
    ]) {
      assert.throws(
        () => redisConnectionOptions(bad),
        (error: Error) =>
          /invalid Sentinel target/.test(error.message) && !error.message.includes('secret'),
      );
    }
  });
});

describe(createRedis.name, () => {
  it('sets keep-alive and a socket timeout so a hung server cannot hold a client forever', () => {
    const redis = createRedis('redis://127.0.0.1:1');
    assert.equal(redis.options.keepAlive, REDIS_KEEPALIVE_MS);
    assert.equal(redis.options.socketTimeout, REDIS_SOCKET_TIMEOUT_MS);
    disconnect(redis);
  });

  it('connects through sentinels for a Sentinel target', () => {
    const redis = createRedis('redis-sentinel://127.0.0.1:1,127.0.0.1:2/koodi/0', {}, 'probe');
    assert.deepEqual(
      redis.options.sentinels?.map((s) => s.port),
      [1, 2],
    );
    assert.equal(redis.options.name, 'koodi');
    assert.equal(redis.options.connectionName, 'probe');
    assert.equal(redis.status, 'wait');
    disconnect(redis);
  });
});

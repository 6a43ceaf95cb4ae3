import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import {
  createRedis,
  disconnect,
  hashTagOf,
  isClusterUrl,
  parseClusterUrl,
  REDIS_KEEPALIVE_MS,
  REDIS_SOCKET_TIMEOUT_MS,
  redisConnectionOptions,
  redisTarget,
} from './redis-connection';
import { clusterQueueProblem, queueKeys } from './redis-list.options';

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
    const redis = createRedis('redis://127.0.0.1:1') as Redis;
    assert.equal(redis.options.keepAlive, REDIS_KEEPALIVE_MS);
    assert.equal(redis.options.socketTimeout, REDIS_SOCKET_TIMEOUT_MS);
    disconnect(redis);
  });

  it('connects through sentinels for a Sentinel target', () => {
    const redis = createRedis('redis-sentinel://127.0.0.1:1,127.0.0.1:2/koodi/0', {}, 'probe');
    assert.ok(
      redis instanceof Redis,
      'a Sentinel target opens one server connection, not a cluster client',
    );
    assert.deepEqual(
      redis.options.sentinels?.map((s) => s.port),
      [1, 2],
    );
    assert.equal(redis.options.name, 'koodi');
    assert.equal(redis.options.connectionName, 'probe');
    assert.equal(redis.status, 'wait');
    disconnect(redis);
  });

  it('opens a Cluster client for a cluster URL and a plain one otherwise', () => {
    const cluster = createRedis('redis+cluster://127.0.0.1:1,127.0.0.1:2');
    const single = createRedis('redis://127.0.0.1:1');
    try {
      assert.ok(cluster instanceof Cluster);
      assert.ok(single instanceof Redis);
      assert.equal(cluster.status, 'wait', 'lazy: nothing is dialled before connect()');
      assert.equal(isClusterUrl('rediss+cluster://h:1'), true);
      assert.equal(isClusterUrl('redis://h:1'), false);
    } finally {
      disconnect(cluster);
      disconnect(single);
    }
  });

  it('gives every node of a cluster the same keep-alive and socket timeout', () => {
    const cluster = createRedis('redis+cluster://127.0.0.1:1') as Cluster;
    try {
      assert.equal(cluster.options.redisOptions?.keepAlive, REDIS_KEEPALIVE_MS);
      assert.equal(cluster.options.redisOptions?.socketTimeout, REDIS_SOCKET_TIMEOUT_MS);
    } finally {
      disconnect(cluster);
    }
  });
});

describe(parseClusterUrl.name, () => {
  it('reads seed nodes, password and TLS', () => {
    const sut = parseClusterUrl('rediss+cluster://:s%40cret@10.0.0.1:6379,redis-2.internal:6380');
    assert.deepEqual(sut, {
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: 'redis-2.internal', port: 6380 },
      ],
      username: undefined,
      password: 's@cret',
      tls: true,
    });
  });

  it('reads a user name and an IPv6 node', () => {
    const sut = parseClusterUrl('redis+cluster://koodi:pw@[::1]:7000/');
    assert.deepEqual(sut, {
      nodes: [{ host: '::1', port: 7000 }],
      username: 'koodi',
      password: 'pw',
      tls: false,
    });
  });

  for (const bad of [
    'redis+cluster://',
    'redis+cluster://host',
    'redis+cluster://host:0',
    'redis+cluster://a:1,b',
    'redis+cluster://a:1/2',
    'redis://a:1',
  ]) {
    it(`rejects ${bad}`, () => assert.throws(() => parseClusterUrl(bad)));
  }
});

describe(hashTagOf.name, () => {
  it('follows Redis: the first non-empty {…}, else the whole key', () => {
    assert.equal(hashTagOf('{grading}:queue:processing:g-1'), 'grading');
    assert.equal(hashTagOf('grading:queue'), 'grading:queue');
    assert.equal(hashTagOf('{}:queue{x}'), '{}:queue{x}');
    assert.equal(hashTagOf('ratelimit:{submissions:u1}:29000000'), 'submissions:u1');
  });

  it('gives every key derived from a tagged queue the queue’s tag', () => {
    const keys = queueKeys('{grading}:queue');
    const derived = [
      keys.queue,
      keys.dead,
      keys.attempts,
      keys.consumers,
      keys.processing('g'),
      keys.heartbeat('g'),
      keys.reply('c'),
    ];
    assert.deepEqual(new Set(derived.map(hashTagOf)), new Set(['grading']));
  });
});

describe(clusterQueueProblem.name, () => {
  it('asks for a hash tag only on a cluster', () => {
    assert.match(
      clusterQueueProblem('redis+cluster://h:1', 'grading:queue') ?? '',
      /needs a hash tag.*\{grading\}:queue/,
    );
    assert.equal(clusterQueueProblem('redis+cluster://h:1', '{grading}:queue'), null);
    assert.equal(clusterQueueProblem('redis://h:1', 'grading:queue'), null);
  });
});

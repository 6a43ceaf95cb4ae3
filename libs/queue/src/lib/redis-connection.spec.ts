import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import {
  createRedis,
  disconnect,
  hashTagOf,
  isClusterUrl,
  parseClusterUrl,
} from './redis-connection';
import { clusterQueueProblem, queueKeys } from './redis-list.options';

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

describe(createRedis.name, () => {
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

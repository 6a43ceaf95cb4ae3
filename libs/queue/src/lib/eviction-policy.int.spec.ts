import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ThrowawayRedis } from '../test/redis-server';
import { checkEvictionPolicy } from './eviction-policy';
import { closeRedis, createRedis, type RedisClient } from './redis-connection';

describe(`${checkEvictionPolicy.name} on a real Redis`, () => {
  let server: ThrowawayRedis;
  let redis: RedisClient;

  before(async () => {
    server = await ThrowawayRedis.start(['--maxmemory-policy', 'allkeys-lru']);
    redis = createRedis(server.url);
    await redis.connect();
  });

  after(async () => {
    await closeRedis(redis);
    await server.destroy();
  });

  it('reads allkeys-lru through CONFIG GET and refuses it', async () => {
    const sut = await checkEvictionPolicy(redis, '{grading}:queue');
    assert.equal(sut.outcome, 'refused');
    assert.match(sut.message, /allkeys-lru/);
  });

  it('accepts volatile-lru until a queue key gets a TTL', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-lru');
    await redis.lpush('{grading}:queue', 'job');
    assert.equal((await checkEvictionPolicy(redis, '{grading}:queue')).outcome, 'accepted');
    await redis.pexpire('{grading}:queue', 60_000);
    const sut = await checkEvictionPolicy(redis, '{grading}:queue');
    assert.equal(sut.outcome, 'refused');
    assert.match(sut.message, /\{grading\}:queue carries a TTL/);
  });
});

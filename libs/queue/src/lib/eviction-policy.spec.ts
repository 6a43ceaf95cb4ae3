import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEvictionPolicy, durableQueueKeys, enforceEvictionPolicy } from './eviction-policy';
import { FakeEvictionPolicySource } from './eviction-policy.mock';

const QUEUE = '{grading}:queue';

describe(checkEvictionPolicy.name, () => {
  it('accepts noeviction without looking at any key', async () => {
    const redis = new FakeEvictionPolicySource('noeviction');
    const sut = await checkEvictionPolicy(redis, QUEUE);
    assert.equal(sut.outcome, 'accepted');
    assert.deepEqual(redis.ttlReads, []);
  });

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`accepts ${policy} when no queue key carries a TTL, and says why`, async () => {
      const redis = new FakeEvictionPolicySource(policy, { [`${QUEUE}:dead`]: -1 });
      const sut = await checkEvictionPolicy(redis, QUEUE);
      assert.equal(sut.outcome, 'accepted');
      assert.match(sut.message, /only keys with a TTL/);
      assert.deepEqual(redis.ttlReads, durableQueueKeys(QUEUE));
    });
  }

  it('refuses volatile-lru when a queue key carries a TTL, naming the key', async () => {
    const redis = new FakeEvictionPolicySource('volatile-lru', { [`${QUEUE}:attempts`]: 5_000 });
    const sut = await checkEvictionPolicy(redis, QUEUE);
    assert.equal(sut.outcome, 'refused');
    assert.match(sut.message, /\{grading\}:queue:attempts carries a TTL/);
    assert.match(sut.message, /PERSIST/);
  });

  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
    it(`refuses ${policy} and names the fix`, async () => {
      const sut = await checkEvictionPolicy(new FakeEvictionPolicySource(policy), QUEUE);
      assert.equal(sut.outcome, 'refused');
      assert.match(sut.message, new RegExp(`${policy}: when memory fills`));
      assert.match(sut.message, /maxmemory-policy noeviction/);
    });
  }

  it('refuses a policy it does not know', async () => {
    const sut = await checkEvictionPolicy(new FakeEvictionPolicySource('evict-everything'), QUEUE);
    assert.equal(sut.outcome, 'refused');
  });

  it('is unknown when Redis refuses CONFIG, as managed services do', async () => {
    const redis = new FakeEvictionPolicySource(new Error("ERR unknown command 'CONFIG'"));
    const sut = await checkEvictionPolicy(redis, QUEUE);
    assert.equal(sut.outcome, 'unknown');
    assert.match(sut.message, /unknown command 'CONFIG'.*noeviction/);
  });
});

describe(enforceEvictionPolicy.name, () => {
  function recorder() {
    const lines: string[] = [];
    return {
      lines,
      log: (m: string) => lines.push(`log ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
    };
  }

  it('logs an accepted policy', async () => {
    const logger = recorder();
    await enforceEvictionPolicy(new FakeEvictionPolicySource('volatile-lru'), QUEUE, logger);
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0], /^log .*volatile-lru accepted/);
  });

  it('warns and carries on when CONFIG is refused', async () => {
    const logger = recorder();
    await enforceEvictionPolicy(new FakeEvictionPolicySource(new Error('NOPERM')), QUEUE, logger);
    assert.match(logger.lines[0], /^warn could not read Redis maxmemory-policy \(NOPERM\)/);
  });

  it('throws on allkeys-lru, so start-up ends', async () => {
    const logger = recorder();
    await assert.rejects(
      enforceEvictionPolicy(new FakeEvictionPolicySource('allkeys-lru'), QUEUE, logger),
      /allkeys-lru.*Refusing to start/,
    );
    assert.deepEqual(logger.lines, []);
  });
});

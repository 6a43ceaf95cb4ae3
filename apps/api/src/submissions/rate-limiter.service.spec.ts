import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { RateLimiter } from './rate-limiter.service';

/** A Redis whose MULTI answers with `counts` in turn, or fails. */
function fakeRedis(counts: number[] | Error): Redis {
  const chain = {
    incr: () => chain,
    pexpire: () => chain,
    exec: async () => {
      if (counts instanceof Error) throw counts;
      return [
        [null, counts.shift()],
        [null, 1],
      ];
    },
  };
  return { multi: () => chain } as unknown as Redis;
}

describe(RateLimiter.name, () => {
  const now = 1_000 * 60_000 + 45_000;

  it('allows up to the limit in a window, then says when to come back', async () => {
    const sut = new RateLimiter(fakeRedis([1, 2, 3]));
    assert.equal((await sut.hit('s', 2, now)).allowed, true);
    assert.equal((await sut.hit('s', 2, now)).allowed, true);
    assert.deepEqual(await sut.hit('s', 2, now), { allowed: false, retryAfterSeconds: 15 });
  });

  it('fails open while Redis is down, so submissions are still written', async () => {
    const sut = new RateLimiter(fakeRedis(new Error('Connection is closed.')));
    assert.equal((await sut.hit('s', 1, now)).allowed, true);
  });
});

// A Redis server that hangs (SIGSTOP: sockets open, nothing answered, nothing closed) must not
// hold a client forever. Without the socket timeout of createRedis this waits for ever.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ThrowawayRedis } from '../test/redis-server';
import { closeRedis, connectOnce, createRedis, REDIS_SOCKET_TIMEOUT_MS } from './redis-connection';

describe('createRedis with a hung server', () => {
  let server: ThrowawayRedis;

  before(async () => {
    server = await ThrowawayRedis.start();
  });

  after(async () => {
    server.resume();
    await server.destroy();
  });

  it('drops the silent connection within the socket timeout and finishes the command once the server answers', async () => {
    const redis = createRedis(server.url, {}, 'hang-probe');
    const errors: string[] = [];
    redis.on('error', (error: Error) => errors.push(error.message));
    try {
      await connectOnce(redis);
      await redis.set('hang:key', 'before');
      server.pause();
      const started = Date.now();
      const pending = redis.get('hang:key');
      // Bounded wait: the timeout plus a generous margin for a loaded machine.
      const deadline = started + REDIS_SOCKET_TIMEOUT_MS + 15_000;
      while (!errors.some((m) => /Socket timeout/.test(m)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(
        errors.some((m) => /Socket timeout/.test(m)),
        `the hung connection was dropped (errors: ${JSON.stringify(errors)})`,
      );
      server.resume();
      assert.equal(await pending, 'before', 'the command is sent again on the new connection');
    } finally {
      await closeRedis(redis);
    }
  });
});

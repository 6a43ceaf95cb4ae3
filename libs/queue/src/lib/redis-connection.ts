import { Redis, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './redis-list.scripts';

export type ScriptRunner = (name: ScriptName, keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * Opens a connection that survives Redis restarts: commands wait in the offline queue while
 * ioredis reconnects (no retry limit) instead of failing, and scripts are reloaded on NOSCRIPT.
 */
export function createRedis(url: string, options: RedisOptions = {}, name?: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    connectionName: name,
    ...options,
  });
  for (const [scriptName, script] of Object.entries(SCRIPTS)) {
    redis.defineCommand(scriptName, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  return redis;
}

export function scriptRunner(redis: Redis): ScriptRunner {
  const commands = redis as unknown as Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;
  return (name, keys, args) => commands[name](...keys, ...args);
}

/** Connects a lazy connection; rejects (and stops retrying) when the first attempt fails. */
export async function connectOnce(redis: Redis): Promise<void> {
  if (redis.status === 'ready' || redis.status === 'connecting' || redis.status === 'connect') {
    if (redis.status !== 'ready') await redis.ping();
    return;
  }
  try {
    await redis.connect();
  } catch (error) {
    disconnect(redis);
    throw error;
  }
}

/**
 * Quits politely when connected, otherwise drops the connection. Never waits on a command
 * queued while disconnected: such a command would only settle after a reconnection.
 */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.quit().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
  disconnect(redis);
}

/** `disconnect()` on an already closed connection would hold the process open for ioredis's 2 s socket timer. */
export function disconnect(redis: Redis): void {
  if (redis.status !== 'end') redis.disconnect();
}

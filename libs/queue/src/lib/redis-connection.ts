import { Redis, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './redis-list.scripts';

export type ScriptRunner = (name: ScriptName, keys: string[], args: (string | number)[]) => Promise<unknown>;

/** The prefix of a Sentinel target: `redis-sentinel://[[user]:password@]host:port,host:port/name[/db]`. */
export const SENTINEL_SCHEME = 'redis-sentinel:';

/**
 * A hung server (stopped, or its link cut) answers nothing and closes nothing. Keep-alive probes
 * find a dead peer on an idle socket; the socket timeout drops a connection whose commands got no
 * reply in time (longer than any blocking read the queue issues, which waits at most a few seconds).
 */
export const REDIS_KEEPALIVE_MS = 5_000;
export const REDIS_SOCKET_TIMEOUT_MS = 15_000;

/**
 * The one place a Redis address becomes connection options. `target` is a `redis://` or
 * `rediss://` URL, or a Sentinel target (see `redisTarget`): then ioredis asks the sentinels for
 * the current primary, and drops its connection to follow a failover as soon as they announce it.
 */
export function redisConnectionOptions(target: string): RedisOptions {
  if (!target.startsWith(`${SENTINEL_SCHEME}//`)) return {};
  const rest = target.slice(SENTINEL_SCHEME.length + 2);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const [hosts = '', name = '', db = '0', ...extra] = rest.slice(at + 1).split('/');
  const sentinels = hosts.split(',').map(parseHostPort);
  if (!name || extra.length > 0 || !/^\d+$/.test(db) || sentinels.some((s) => s === null)) {
    // The target may hold a password: never echo it.
    throw new Error(`invalid Sentinel target (expected ${SENTINEL_SCHEME}//host:port,host:port/name[/db])`);
  }
  const colon = auth.indexOf(':');
  const username = colon > 0 ? decodeURIComponent(auth.slice(0, colon)) : undefined;
  const password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : undefined;
  return {
    sentinels: sentinels as { host: string; port: number }[],
    name: decodeURIComponent(name),
    db: Number(db),
    username,
    password,
    // The sentinels share the primary's password when one is set (the usual deployment).
    sentinelPassword: password,
    failoverDetector: true,
  };
}

/**
 * The Redis target of a process, from REDIS_URL or from REDIS_SENTINELS (`host:port,host:port`)
 * with REDIS_SENTINEL_NAME. With sentinels, a REDIS_URL given as well only lends its password and
 * database number (its host is the sentinels' business). Throws a message naming what is wrong.
 */
export function redisTarget(env: Record<string, string | undefined>): string {
  const url = env['REDIS_URL']?.trim() || undefined;
  const sentinels = env['REDIS_SENTINELS']?.trim() || undefined;
  const name = env['REDIS_SENTINEL_NAME']?.trim() || undefined;
  if (!sentinels) {
    if (name) throw new Error('REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not');
    if (!url) throw new Error('REDIS_URL (redis://host:6379) or REDIS_SENTINELS with REDIS_SENTINEL_NAME is required');
    return url;
  }
  if (!name) throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME (the primary group the sentinels watch)');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error('REDIS_SENTINEL_NAME may hold only letters, digits, ".", "_" and "-"');
  const hosts = sentinels.split(',').map((s) => s.trim());
  if (hosts.some((h) => parseHostPort(h) === null)) {
    throw new Error(`REDIS_SENTINELS must be host:port,host:port…, got "${sentinels}"`);
  }
  let auth = '';
  let db = '0';
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error('REDIS_URL is not a valid URL');
    }
    if (parsed.username || parsed.password) auth = `${parsed.username}:${parsed.password}@`;
    db = parsed.pathname.replace(/^\//, '') || '0';
  }
  return `${SENTINEL_SCHEME}//${auth}${hosts.join(',')}/${name}/${db}`;
}

/** `host:port` (or `[v6]:port`) to its parts; null when it is not one. */
function parseHostPort(value: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return null;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Opens a connection that survives Redis restarts and failovers: commands wait in the offline
 * queue while ioredis reconnects (no retry limit) instead of failing, and scripts are reloaded on
 * NOSCRIPT. `url` is anything `redisConnectionOptions` accepts.
 */
export function createRedis(url: string, options: RedisOptions = {}, name?: string): Redis {
  const settings: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    connectionName: name,
    keepAlive: REDIS_KEEPALIVE_MS,
    socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
    ...options,
  };
  const sentinel = redisConnectionOptions(url);
  const redis = sentinel.sentinels ? new Redis({ ...sentinel, ...settings }) : new Redis(url, settings);
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

import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './redis-list.scripts';

/** One Redis server or a Redis Cluster: both speak the same commands through ioredis. */
export type RedisClient = Redis | Cluster;

export type ScriptRunner = (
  name: ScriptName,
  keys: string[],
  args: (string | number)[],
) => Promise<unknown>;

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
    throw new Error(
      `invalid Sentinel target (expected ${SENTINEL_SCHEME}//host:port,host:port/name[/db])`,
    );
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
    if (!url)
      throw new Error(
        'REDIS_URL (redis://host:6379) or REDIS_SENTINELS with REDIS_SENTINEL_NAME is required',
      );
    return url;
  }
  if (!name)
    throw new Error(
      'REDIS_SENTINELS needs REDIS_SENTINEL_NAME (the primary group the sentinels watch)',
    );
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new Error('REDIS_SENTINEL_NAME may hold only letters, digits, ".", "_" and "-"');
  const hosts = sentinels.split(',').map((s) => s.trim());
  if (hosts.some((h) => parseHostPort(h) === null)) {
    throw new Error(`REDIS_SENTINELS must be host:port,host:port…, got "${sentinels}"`);
  }
  if (url && isClusterUrl(url)) {
    throw new Error(
      'REDIS_SENTINELS cannot be combined with a cluster REDIS_URL (redis+cluster://)',
    );
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

const retryDelay = (times: number): number => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/**
 * Opens a connection that survives Redis restarts and failovers: commands wait in the offline
 * queue while ioredis reconnects (no retry limit) instead of failing, and scripts are reloaded on
 * NOSCRIPT. `url` is a `redis://` or `rediss://` URL, a Sentinel target (see `redisTarget`), or a
 * `redis+cluster://` / `rediss+cluster://` URL, which opens a Redis Cluster client instead (see
 * {@link parseClusterUrl}); every multi-key command then needs its keys in one hash slot. Every
 * kind gets the keep-alive and socket timeout, so a hung server cannot stall a client forever.
 */
export function createRedis(url: string, options: RedisOptions = {}, name?: string): RedisClient {
  const timeouts: RedisOptions = {
    keepAlive: REDIS_KEEPALIVE_MS,
    socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
  };
  let redis: RedisClient;
  if (isClusterUrl(url)) {
    redis = createCluster(parseClusterUrl(url), { ...timeouts, ...options }, name);
  } else {
    const settings: RedisOptions = {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: retryDelay,
      connectionName: name,
      ...timeouts,
      ...options,
    };
    const sentinel = redisConnectionOptions(url);
    redis = sentinel.sentinels ? new Redis({ ...sentinel, ...settings }) : new Redis(url, settings);
  }
  for (const [scriptName, script] of Object.entries(SCRIPTS)) {
    redis.defineCommand(scriptName, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  return redis;
}

export interface ClusterUrl {
  nodes: ClusterNode[];
  username?: string;
  password?: string;
  tls: boolean;
}

export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/**
 * `redis+cluster://[[user]:password@]host:port[,host:port…]` (`rediss+cluster://` for TLS): the
 * seed nodes of a Redis Cluster; the client discovers the others. WHATWG URLs cannot hold a
 * list of hosts, so this small grammar is parsed here. Throws on anything else.
 */
export function parseClusterUrl(url: string): ClusterUrl {
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#@]+)\/?$/.exec(url);
  if (!match)
    throw new Error('a cluster URL looks like redis+cluster://[:password@]host:port[,host:port…]');
  const [, scheme, auth, hosts] = match;
  const nodes = hosts.split(',').map((entry) => {
    const node = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry.trim());
    if (!node || Number(node[2]) < 1 || Number(node[2]) > 65535) {
      throw new Error(`cluster node "${entry}" must be host:port`);
    }
    return { host: node[1].replace(/^\[|\]$/g, ''), port: Number(node[2]) };
  });
  let username: string | undefined;
  let password: string | undefined;
  if (auth !== undefined) {
    const colon = auth.indexOf(':');
    const user = decodeURIComponent(colon === -1 ? '' : auth.slice(0, colon));
    username = user || undefined;
    password = decodeURIComponent(colon === -1 ? auth : auth.slice(colon + 1)) || undefined;
  }
  return { nodes, username, password, tls: scheme === 'rediss' };
}

/** The options of one server mapped onto ioredis's Cluster, which splits them in two levels. */
function createCluster(url: ClusterUrl, options: RedisOptions, name?: string): Cluster {
  const { lazyConnect, enableAutoPipelining, enableOfflineQueue, retryStrategy, ...perNode } =
    options;
  return new Cluster(url.nodes, {
    lazyConnect: lazyConnect ?? true,
    enableAutoPipelining,
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) ?? null : retryDelay,
    redisOptions: {
      maxRetriesPerRequest: null,
      connectionName: name,
      username: url.username,
      password: url.password,
      ...(url.tls ? { tls: {} } : {}),
      ...perNode,
    },
  });
}

/**
 * The slot-defining part of a key: its first non-empty `{…}` or, without one, the whole key.
 * Keys used together by one script or transaction must agree on it in a Redis Cluster.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

export function scriptRunner(redis: RedisClient): ScriptRunner {
  const commands = redis as unknown as Record<
    ScriptName,
    (...args: (string | number)[]) => Promise<unknown>
  >;
  return (name, keys, args) => commands[name](...keys, ...args);
}

/** Connects a lazy connection; rejects (and stops retrying) when the first attempt fails. */
export async function connectOnce(redis: RedisClient): Promise<void> {
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
export async function closeRedis(redis: RedisClient, timeoutMs = 1_000): Promise<void> {
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
export function disconnect(redis: RedisClient): void {
  if (redis.status !== 'end') redis.disconnect();
}

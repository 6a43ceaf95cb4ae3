import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './redis-list.scripts';

/** One Redis server or a Redis Cluster: both speak the same commands through ioredis. */
export type RedisClient = Redis | Cluster;

export type ScriptRunner = (name: ScriptName, keys: string[], args: (string | number)[]) => Promise<unknown>;

const retryDelay = (times: number): number => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/**
 * Opens a connection that survives Redis restarts: commands wait in the offline queue while
 * ioredis reconnects (no retry limit) instead of failing, and scripts are reloaded on NOSCRIPT.
 * A `redis+cluster://` or `rediss+cluster://` URL opens a Redis Cluster client instead (see
 * {@link parseClusterUrl}); every multi-key command then needs its keys in one hash slot.
 */
export function createRedis(url: string, options: RedisOptions = {}, name?: string): RedisClient {
  const redis = isClusterUrl(url)
    ? createCluster(parseClusterUrl(url), options, name)
    : new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: null,
        retryStrategy: retryDelay,
        connectionName: name,
        ...options,
      });
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
  if (!match) throw new Error('a cluster URL looks like redis+cluster://[:password@]host:port[,host:port…]');
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
  const { lazyConnect, enableAutoPipelining, enableOfflineQueue, retryStrategy, ...perNode } = options;
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
  const commands = redis as unknown as Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;
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

import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-connection';
import { queueKeys } from './redis-list.options';

/** What the check needs of one Redis server: an ioredis client fits as it is, a fake too. */
export interface EvictionPolicySource {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  pttl(key: string): Promise<number>;
}

export type EvictionVerdict =
  | { outcome: 'accepted'; policy: string; message: string }
  | { outcome: 'unknown'; message: string }
  | { outcome: 'refused'; policy: string; message: string };

const FIX =
  'set maxmemory-policy noeviction (redis.conf, `CONFIG SET maxmemory-policy noeviction`, or the parameter group of a managed Redis)';

/**
 * Which keys a `volatile-*` policy may evict: only those with a TTL. The queue, its dead letters,
 * attempt counters and consumer set never get one; leases, reply lists, rate-limit windows and
 * caches do, and losing one of those re-delivers a job or recomputes an answer, never loses a job.
 */
export function durableQueueKeys(queue: string): string[] {
  const keys = queueKeys(queue);
  return [keys.queue, keys.dead, keys.attempts, keys.consumers];
}

/**
 * Reads `maxmemory-policy` from every primary and judges it for a queue that must never lose a
 * key: `noeviction` is accepted; `volatile-*` is accepted while no durable queue key carries a
 * TTL; `allkeys-*` is refused. A Redis that refuses CONFIG (many managed services) is `unknown`:
 * the caller warns and carries on.
 */
export async function checkEvictionPolicy(
  redis: RedisClient | EvictionPolicySource,
  queue: string,
): Promise<EvictionVerdict> {
  // A cluster client knows its primaries only once it has loaded the slot map.
  if (redis instanceof Cluster && redis.status !== 'ready') await redis.ping();
  const servers: EvictionPolicySource[] =
    redis instanceof Cluster ? redis.nodes('master') : [redis];
  const policies = new Set<string>();
  for (const server of servers) {
    let reply: unknown;
    try {
      reply = await server.config('GET', 'maxmemory-policy');
    } catch (error) {
      return {
        outcome: 'unknown',
        message: `could not read Redis maxmemory-policy (${(error as Error).message}); make sure it is noeviction: with allkeys-* Redis may drop queued jobs`,
      };
    }
    const policy = Array.isArray(reply) ? reply[1] : undefined;
    if (typeof policy !== 'string') {
      return {
        outcome: 'unknown',
        message: 'Redis did not report its maxmemory-policy; make sure it is noeviction',
      };
    }
    policies.add(policy);
  }
  if (policies.size === 0)
    return { outcome: 'unknown', message: 'no Redis primary answered for maxmemory-policy' };
  const policy =
    [...policies].find((p) => p.startsWith('allkeys-')) ??
    [...policies].find((p) => p !== 'noeviction') ??
    'noeviction';

  if (policy === 'noeviction') {
    return {
      outcome: 'accepted',
      policy,
      message: 'Redis maxmemory-policy is noeviction: no key is ever evicted',
    };
  }
  if (policy.startsWith('allkeys-')) {
    return {
      outcome: 'refused',
      policy,
      message: `Redis maxmemory-policy is ${policy}: when memory fills, Redis may evict queued grading jobs and leases. Refusing to start; ${FIX}`,
    };
  }
  if (policy.startsWith('volatile-')) {
    for (const key of durableQueueKeys(queue)) {
      if ((await redis.pttl(key)) >= 0) {
        return {
          outcome: 'refused',
          policy,
          message: `Redis maxmemory-policy is ${policy} and queue key ${key} carries a TTL, so Redis may evict it. Remove the TTL (PERSIST ${key}) or ${FIX}`,
        };
      }
    }
    return {
      outcome: 'accepted',
      policy,
      message: `Redis maxmemory-policy ${policy} accepted: it evicts only keys with a TTL, and no queue key has one (leases, replies, rate limits and caches do; losing one re-delivers a job or recomputes an answer)`,
    };
  }
  return {
    outcome: 'refused',
    policy,
    message: `Redis maxmemory-policy "${policy}" is not one this queue knows to be safe; ${FIX}`,
  };
}

export interface EvictionPolicyLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * The start-up form: logs an accepted or unknown policy and throws on a refused one, so the
 * process ends before it takes or queues a job. An unreachable Redis is a warning here; the
 * readiness probe and the connection's own retries deal with it.
 */
export async function enforceEvictionPolicy(
  redis: RedisClient | EvictionPolicySource,
  queue: string,
  logger: EvictionPolicyLogger,
): Promise<void> {
  let verdict: EvictionVerdict;
  try {
    verdict = await checkEvictionPolicy(redis, queue);
  } catch (error) {
    logger.warn(`maxmemory-policy not checked: ${(error as Error).message}`);
    return;
  }
  if (verdict.outcome === 'refused') throw new Error(verdict.message);
  if (verdict.outcome === 'unknown') logger.warn(verdict.message);
  else logger.log(verdict.message);
}

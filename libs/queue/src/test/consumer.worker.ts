/**
 * A consumer process for the kill tests: a RedisListServer whose handler records each
 * completed message in a hash (id → times completed) before it is acknowledged, so the test can
 * count lost and duplicated work. Reports `ready` and `started` over IPC; exits cleanly on SIGTERM.
 */
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisListContext } from '../lib/redis-list.context';
import { RedisListServer } from '../lib/redis-list.server';

export interface WorkerSettings {
  REDIS_URL: string;
  QUEUE: string;
  CONSUMER_ID: string;
  CONCURRENCY?: string;
  HEARTBEAT_TTL_MS?: string;
  REAPER_INTERVAL_MS?: string;
  MAX_ATTEMPTS?: string;
  WORK_MS_MIN?: string;
  WORK_MS_MAX?: string;
  /** Hash the handler HINCRBYs per completed message id. */
  DONE_KEY: string;
  /** List onDeadLetter pushes ids to. */
  DEAD_KEY?: string;
}

function setting(name: keyof WorkerSettings, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`consumer.worker: ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const url = setting('REDIS_URL');
  const results = new Redis(url, { maxRetriesPerRequest: null });
  const workMin = Number(setting('WORK_MS_MIN', '0'));
  const workMax = Number(setting('WORK_MS_MAX', String(workMin)));
  const doneKey = setting('DONE_KEY');
  const deadKey = process.env['DEAD_KEY'];
  const server = new RedisListServer({
    redisUrl: url,
    queue: setting('QUEUE'),
    consumerId: setting('CONSUMER_ID'),
    concurrency: Number(setting('CONCURRENCY', '1')),
    heartbeatTtlMs: Number(setting('HEARTBEAT_TTL_MS', '1000')),
    reaperIntervalMs: Number(setting('REAPER_INTERVAL_MS', '250')),
    maxAttempts: Number(setting('MAX_ATTEMPTS', '3')),
    blockTimeoutSeconds: 0.2,
    shutdownTimeoutMs: 2_000,
    onDeadLetter: async (message) => {
      if (deadKey) await results.rpush(deadKey, message.id);
    },
  });
  server.addHandler(
    'job',
    async (_data: unknown, ctx: RedisListContext) => {
      process.send?.({ type: 'started', id: ctx.getMessageId(), attempt: ctx.getAttempt() });
      const ms = workMin + Math.random() * (workMax - workMin);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      await results.hincrby(doneKey, ctx.getMessageId(), 1);
    },
    true,
  );
  server.addHandler(
    'poison',
    async () => {
      process.kill(process.pid, 'SIGKILL');
    },
    true,
  );
  process.once('SIGTERM', () => {
    void server.close().finally(() => {
      results.disconnect();
      process.exit(0);
    });
  });
  await server.listen((error?: unknown) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.send?.({ type: 'ready' });
  });
}

void main();

// Messages per second through the Redis-list transport: N consumer processes with a no-op
// handler drain a pre-filled queue; the clock stops when the queue and every processing list
// are empty, i.e. every message was taken, handled and acknowledged.
//   node libs/queue/bench/queue.bench.mts [--messages 200000] [--consumers 1,4] [--concurrency 64] [--rounds 3]
// (or `npx nx run queue:bench`, which provides REDIS_URL)
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// The built library (`nx build queue`), as a dependent app would load it.
import queueLib from '../dist/index.js';
import { Redis } from 'ioredis';

const { JsonQueueSerializer, RedisListClient, queueKeys } = queueLib;

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    consumers: { type: 'string', default: '1,4' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
  },
});
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const redis = new Redis(redisUrl);

async function main(): Promise<void> {
  console.log(
    `Redis ${redisUrl}; ${total} messages; no-op handler; concurrency ${concurrency} per consumer`,
  );
  console.log(
    `load average before the run: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  await producerRate();
  for (const consumers of values.consumers.split(',').map(Number)) {
    const rates: number[] = [];
    const costs: { consumer: number; redis: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      const result = await consumerRate(consumers);
      rates.push(result.rate);
      costs.push(result.cpu);
    }
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(
      `consume  ${consumers} consumer process(es): median ${format(sorted[Math.floor(sorted.length / 2)])} messages/s, ` +
        `best ${format(sorted[sorted.length - 1])} (rounds: ${rates.map(format).join(', ')}; ack included)`,
    );
    const consumerMicros = Math.min(...costs.map((c) => c.consumer));
    const redisMicros = Math.min(...costs.map((c) => c.redis));
    // CPU time per message does not depend on what else the machine is running.
    console.log(
      `         CPU per message: consumers ${consumerMicros.toFixed(1)} µs + redis-server ${redisMicros.toFixed(1)} µs ` +
        `→ ${format((availableParallelism() * 1e6) / (consumerMicros + redisMicros))} messages/s if ${availableParallelism()} idle cores did only this`,
    );
  }
  console.log(
    `load average after the run: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  await redis.quit();
}

function format(rate: number): string {
  return Math.round(rate).toLocaleString('en');
}

/** `RedisListClient.enqueue` with many calls in flight (auto-pipelined). */
async function producerRate(): Promise<void> {
  const queue = `bench:queue:${randomBytes(4).toString('hex')}`;
  const client = new RedisListClient({ redisUrl, queue });
  await client.connect();
  const count = Math.min(total, 100_000);
  const started = performance.now();
  for (let i = 0; i < count; i += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, count - i) }, (_, j) =>
        client.enqueue('bench', { n: i + j }),
      ),
    );
  }
  const seconds = (performance.now() - started) / 1_000;
  console.log(
    `produce  1 client: ${Math.round(count / seconds).toLocaleString('en')} messages/s (enqueue, 1,000 in flight)`,
  );
  await client.close();
  await redis.del(queue);
}

/** CPU seconds redis-server has used (shared with whatever else uses this Redis). */
async function redisCpuSeconds(): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function consumerRate(
  consumers: number,
): Promise<{ rate: number; cpu: { consumer: number; redis: number } }> {
  const queue = `bench:queue:${randomBytes(4).toString('hex')}`;
  const keys = queueKeys(queue);
  await prefill(queue);
  const children = Array.from({ length: consumers }, (_, i) =>
    fork(join(import.meta.dirname, 'bench-consumer.mts'), [], {
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        BENCH_QUEUE: queue,
        BENCH_CONSUMER: `bench-${i}`,
        BENCH_CONCURRENCY: String(concurrency),
      },
    }),
  );
  await Promise.all(children.map((child) => once(child, (message) => message === 'ready')));

  const redisCpuBefore = await redisCpuSeconds();
  const started = performance.now();
  for (const child of children) child.send('go');
  for (;;) {
    const pipeline = redis.pipeline().llen(queue);
    for (let i = 0; i < consumers; i++) pipeline.llen(keys.processing(`bench-${i}`));
    const lengths = (await pipeline.exec())?.map(([, n]) => Number(n)) ?? [];
    if (lengths.every((n) => n === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1_000;
  const redisCpu = (await redisCpuSeconds()) - redisCpuBefore;

  const handled = await Promise.all(
    children.map((child) => {
      child.send('stop');
      return once(
        child,
        (message) => typeof message === 'object' && message !== null && 'handled' in message,
      );
    }),
  );
  const reports = handled as { handled: number; cpuMicros: number }[];
  const sum = reports.reduce((acc, report) => acc + report.handled, 0);
  if (sum !== total) throw new Error(`handled ${sum} of ${total}`);
  const consumerCpu = reports.reduce((acc, report) => acc + report.cpuMicros, 0);
  const leftovers = await redis.keys(`${queue}*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  return {
    rate: total / seconds,
    cpu: { consumer: consumerCpu / total, redis: (redisCpu * 1e6) / total },
  };
}

async function prefill(queue: string): Promise<void> {
  const serializer = new JsonQueueSerializer();
  for (let i = 0; i < total; i += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, total - i) }, (_, j) =>
      serializer.serialize({
        id: `m${i + j}`,
        pattern: 'bench',
        data: { n: i + j },
        enqueuedAt: Date.now(),
      }),
    );
    await redis.lpush(queue, ...batch);
  }
}

function once(child: ChildProcess, match: (message: unknown) => boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!match(message)) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`bench consumer exited with ${code}`)));
  });
}

await main();

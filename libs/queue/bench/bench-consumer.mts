// One consumer process of the benchmark: a RedisListServer with a no-op handler. Waits for
// `go` before listening so every process starts taking at the same moment.
// The built library (`nx build queue`), as a dependent app would load it.
import queueLib from '../dist/index.js';
import { Logger } from '@nestjs/common';

const { RedisListServer } = queueLib;
Logger.overrideLogger(['error']);

const server = new RedisListServer({
  redisUrl: required('REDIS_URL'),
  queue: required('BENCH_QUEUE'),
  consumerId: required('BENCH_CONSUMER'),
  concurrency: Number(process.env['BENCH_CONCURRENCY'] ?? 64),
});
let handled = 0;
let cpuAtGo: NodeJS.CpuUsage | undefined;
server.addHandler('bench', async () => void handled++, true);

process.on('message', (message) => {
  if (message === 'go') {
    cpuAtGo = process.cpuUsage();
    server.listen((error?: unknown) => {
      if (error) {
        console.error(error);
        process.exit(1);
      }
    });
  } else if (message === 'stop') {
    void server.close().then(() => {
      const cpu = process.cpuUsage(cpuAtGo);
      process.send?.({ handled, cpuMicros: cpu.user + cpu.system });
      process.disconnect();
    });
  }
});
process.send?.('ready');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

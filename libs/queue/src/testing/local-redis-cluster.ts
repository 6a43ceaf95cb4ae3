import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * For integration tests: a throwaway Redis Cluster of `primaries` redis-server processes on
 * loopback ports (no replicas), joined by `redis-cli --cluster create`. Everything it starts
 * is killed and its folder removed by `destroy()`; start-up gives up after a bounded wait.
 */
export class LocalRedisCluster {
  private readonly processes: ChildProcess[] = [];

  private constructor(
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  /** `redis+cluster://` URL naming every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
  }

  static async start(primaries = 3, timeoutMs = 20_000): Promise<LocalRedisCluster> {
    const ports: number[] = [];
    while (ports.length < primaries) {
      const port = await freeClusterPort();
      if (!ports.includes(port)) ports.push(port);
    }
    const cluster = new LocalRedisCluster(
      ports,
      mkdtempSync(join(tmpdir(), 'koodi-redis-cluster-')),
    );
    try {
      await cluster.boot(Date.now() + timeoutMs);
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.processes.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(deadline: number): Promise<void> {
    for (const port of this.ports) {
      // prettier-ignore
      const args = [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000',
        '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      ];
      this.processes.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of this.ports)
      await until(deadline, `node ${port} to answer`, () => ask(port, ['PING']));
    const create = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'ignore' },
    );
    const code = await new Promise<number | null>((resolve) => create.once('exit', resolve));
    if (code !== 0) throw new Error(`redis-cli --cluster create exited with ${code}`);
    for (const port of this.ports) {
      await until(deadline, `node ${port} to see the cluster ok`, async () =>
        String(await ask(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
      );
    }
  }
}

async function ask(port: number, command: string[]): Promise<unknown> {
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return await probe.call(command[0], ...command.slice(1));
  } finally {
    probe.disconnect();
  }
}

async function until(deadline: number, what: string, check: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

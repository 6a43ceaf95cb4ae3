// The API in production mode behind the production NGINX config with Compose's TLS server, on
// 127.0.0.1: a scratch database holding one assignment, a logical Redis database of the spec's
// own, a self-signed certificate from the secrets tool. What the NGINX specs run against.
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { purgeAssignmentCache } from '@koodi/contracts';
import { Redis } from 'ioredis';
import pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../migrate/scratch-database.ts';
import { freePort, startLogged, stopProcess, waitFor } from '../stack/processes.ts';
import { findProgram } from '../stack/system.ts';
import {
  certificateFromSecretsTool,
  renderLocalProdNginxConfig,
  repoRoot,
} from './nginx-config.ts';

const API_MAIN = join(repoRoot, 'apps/api/dist/main.js');

export interface ProductionStackOptions {
  /** Names the scratch database, the queue and the temporary folder. */
  name: string;
  /** A logical Redis database no stack or other spec uses, so its assignment cache is this one's. */
  redisDatabase: number;
  /** Writes the site NGINX serves into `dir`. */
  prepareWebRoot(dir: string): Promise<void>;
  /** Host names the certificate is for, beside 127.0.0.1 and localhost. */
  certificateHosts?: string[];
  /** NGINX's `geo` lines for addresses that may say the request came over HTTPS. */
  balancers?: string;
  apiLogLevel?: string;
}

export interface ProductionStack {
  httpPort: number;
  httpsPort: number;
  apiPort: number;
  assignmentId: string;
  /** The scratch database the API uses. */
  databaseUrl: string;
  redis: Redis;
  apiLog: string;
  stop(): Promise<void>;
}

export async function startProductionStack(
  options: ProductionStackOptions,
): Promise<ProductionStack> {
  const serverUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!serverUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set');
  if (!existsSync(API_MAIN))
    throw new Error(`${API_MAIN} is missing: build first (npx nx run-many -t build)`);

  const children: ChildProcess[] = [];
  let scratch: ScratchDatabase | undefined;
  let redis: Redis | undefined;
  const queue = `grading:${options.name}:${randomUUID().slice(0, 8)}`;
  const work = await mkdtemp(join(tmpdir(), `koodi-${options.name}-`));

  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child.pid, 10_000);
    if (redis) {
      await redis.del(
        queue,
        `${queue}:dead`,
        `${queue}:attempts`,
        `${queue}:consumers`,
        `${queue}:reconciler:lock`,
      );
      await purgeAssignmentCache(redis).catch(() => undefined);
      redis.disconnect();
    }
    await scratch?.drop();
    await rm(work, { recursive: true, force: true });
  };

  try {
    // Run as root, NGINX workers drop to `nobody`: they must reach their temporary folders and the
    // site, which they cannot inside a checkout only its owner may enter.
    await chmod(work, 0o755);
    const webRoot = join(work, 'web');
    await options.prepareWebRoot(webRoot);

    scratch = await scratchDatabase(serverUrl, `koodi_${options.name.replace(/-/g, '_')}`);
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, version)
       VALUES ($1, 1, 'Hello', 'Write hello().', 'def hello():\n    pass\n', 'solution', 'import unittest\n', 'v1')
       RETURNING id`,
      [`${options.name}-hello`],
    );
    await db.end();

    const url = new URL(redisUrl);
    url.pathname = `/${options.redisDatabase}`;
    redis = new Redis(url.toString());
    await purgeAssignmentCache(redis);

    const apiPort = await freePort();
    const apiLog = join(work, 'api.log');
    const api = startLogged(process.execPath, [API_MAIN], apiLog, {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        COOKIE_SECRET: randomBytes(24).toString('hex'),
        DATABASE_URL: scratch.url,
        REDIS_URL: url.toString(),
        GRADING_QUEUE: queue,
        API_HOST: '127.0.0.1',
        API_PORT: String(apiPort),
        OPS_PORT: String(await freePort()),
        // Only NGINX, which connects from 127.0.0.1, may say the student came over HTTPS.
        TRUST_PROXY: '127.0.0.1',
        RECONCILE_INTERVAL_SECONDS: '0',
        LOG_LEVEL: options.apiLogLevel ?? 'warn',
      },
    });
    children.push(api);
    await waitFor('API', () => ok(`http://127.0.0.1:${apiPort}/api/health`), 60_000, api);

    const { cert, key } = await certificateFromSecretsTool(
      join(work, 'secrets'),
      options.certificateHosts,
    );
    const httpPort = await freePort();
    const httpsPort = await freePort();
    const nginxDir = join(work, 'nginx');
    const config = await renderLocalProdNginxConfig({
      dir: nginxDir,
      listenPort: httpPort,
      apiAddresses: [`127.0.0.1:${apiPort}`],
      webRoot,
      tls: { port: httpsPort, cert, key },
      ...(options.balancers !== undefined && { balancers: options.balancers }),
    });
    await chmod(nginxDir, 0o755);
    const nginxBin = findProgram('nginx');
    if (!nginxBin) throw new Error('nginx is not installed (Debian: apt-get install nginx)');
    const nginx = startLogged(
      nginxBin,
      ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', config, '-g', 'daemon off;'],
      join(work, 'nginx.log'),
    );
    children.push(nginx);
    await waitFor('NGINX', () => ok(`http://127.0.0.1:${httpPort}/`), 15_000, nginx);

    return {
      httpPort,
      httpsPort,
      apiPort,
      assignmentId: rows[0].id,
      databaseUrl: scratch.url,
      redis,
      apiLog,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Whether a GET of `url` answers 2xx within two seconds. */
export async function ok(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

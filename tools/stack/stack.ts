// Starts Koodi's own processes — API replicas, graders and NGINX in front — on top of
// PostgreSQL and Redis, and stops them again.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canConnect, freePort, startLogged, stopProcess, waitFor } from './processes.ts';
import { DATA_DIR, ROOT } from './services.ts';

export interface StackOptions {
  /** Folder under .data/ for logs and NGINX's files, e.g. "stack" or "e2e". */
  name: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  nginx: string;
  apiReplicas: number;
  graders: number;
  log: (line: string) => void;
  /** Overrides NGINX's per-address submission rate (e.g. "100000r/s" for a benchmark). */
  nginxSubmissionRate?: string;
  /** Extra environment for the API and grader processes. */
  env?: Record<string, string>;
}

export interface RunningStack {
  url: string;
  /** Processes by name (api-1, grader-2, nginx), for fault tests. */
  processes: Map<string, ChildProcess>;
  stop: () => Promise<void>;
}

const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
// The same V8 heap settings as the images: a small young generation and slow heap growth keep
// a replica near 145 MB under load instead of letting garbage pile up (apps/api/README.md).
const V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=20'];
const GRADER_MAIN = join(ROOT, 'apps/grader/dist/main.js');
const WEB_ROOT = join(ROOT, 'apps/web/dist');

// Stacks that share one local Redis keep their queues and caches apart in logical databases.
const REDIS_DATABASE: Record<string, number> = { stack: 0, e2e: 1, bench: 2, failover: 3 };

/** The Redis URL a stack named `name` uses on the local server (a caller's own URL is kept). */
export function stackRedisUrl(redisUrl: string, name: string, external: boolean): string {
  if (external) return redisUrl;
  const url = new URL(redisUrl);
  url.pathname = `/${REDIS_DATABASE[name] ?? 0}`;
  return url.toString();
}

/** A stable cookie secret for local runs, so restarts keep students signed in. */
function localCookieSecret(): string {
  const file = join(DATA_DIR, 'cookie-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const dir = join(DATA_DIR, options.name);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const processes = new Map<string, ChildProcess>();
  const stop = async () => {
    // NGINX first so no new requests arrive, then the apps drain, each with its own grace.
    const order = [...processes.keys()].sort((a, b) => rank(a) - rank(b));
    for (const name of order)
      await stopProcess(processes.get(name)!.pid, name.startsWith('grader') ? 20_000 : 10_000);
    processes.clear();
  };
  const baseEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    COOKIE_SECRET: process.env.COOKIE_SECRET ?? localCookieSecret(),
    ...options.env,
  };

  try {
    const apiPorts: number[] = [];
    if (existsSync(API_MAIN)) {
      for (let i = 1; i <= options.apiReplicas; i++) {
        const port = await freePort();
        const opsPort = await freePort();
        const env = {
          ...baseEnv,
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
          OPS_PORT: String(opsPort),
        };
        const child = startLogged(
          process.execPath,
          [...V8_FLAGS, API_MAIN],
          join(dir, `api-${i}.log`),
          {
            env,
            cwd: ROOT,
          },
        );
        processes.set(`api-${i}`, child);
        await waitFor(
          `api-${i}`,
          () => httpOk(`http://127.0.0.1:${port}/api/health`),
          60_000,
          child,
        );
        options.log(`api-${i} ready on 127.0.0.1:${port} (metrics on :${opsPort})`);
        apiPorts.push(port);
      }
    } else {
      options.log('apps/api is not built: serving the web app without an API');
    }

    if (existsSync(GRADER_MAIN)) {
      for (let i = 1; i <= options.graders; i++) {
        const opsPort = await freePort();
        const env = {
          ...baseEnv,
          OPS_PORT: String(opsPort),
          GRADER_ID: `grader-${i}-${process.pid}`,
        };
        const child = startLogged(
          process.execPath,
          [...V8_FLAGS, GRADER_MAIN],
          join(dir, `grader-${i}.log`),
          {
            env,
            cwd: ROOT,
          },
        );
        processes.set(`grader-${i}`, child);
        await waitFor(`grader-${i}`, () => canConnect(opsPort), 60_000, child);
        options.log(`grader-${i} ready (metrics on :${opsPort})`);
      }
    }

    const config = renderNginxConfig({
      dir,
      port: options.port,
      apiPorts,
      submissionRate: options.nginxSubmissionRate,
    });
    const child = startLogged(
      options.nginx,
      ['-p', dir, '-c', config, '-g', 'daemon off;'],
      join(dir, 'nginx.log'),
      { cwd: dir },
    );
    processes.set('nginx', child);
    const url = `http://localhost:${options.port}`;
    await waitFor('NGINX', () => httpOk(`http://127.0.0.1:${options.port}/`), 15_000, child);
    options.log(`NGINX serving ${url}`);
    return { url, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function rank(name: string): number {
  return name === 'nginx' ? 0 : name.startsWith('api') ? 1 : 2;
}

export function renderNginxConfig(options: {
  dir: string;
  port: number;
  apiPorts: number[];
  submissionRate?: string;
  /** `address:port` of each API replica on other hosts (tools/hosts); replaces `apiPorts`. */
  apiAddresses?: string[];
  /** Address to listen on (default: every address of the machine). */
  listenAddress?: string;
}): string {
  const { dir, port, apiPorts, submissionRate, listenAddress } = options;
  let template = readFileSync(join(ROOT, 'infra/nginx/nginx.dev.conf'), 'utf8');
  if (submissionRate) {
    const zone = /(zone=submissions:\S+ rate=)\S+;/;
    if (!zone.test(template))
      throw new Error('nginx.dev.conf has no "submissions" limit_req_zone to adjust');
    template = template.replace(zone, `$1${submissionRate};`);
  }
  // With no API yet, NGINX still needs an upstream: one that is always down answers 502 as JSON.
  const addresses = options.apiAddresses ?? apiPorts.map((p) => `127.0.0.1:${p}`);
  const upstreams = (addresses.length ? addresses : ['127.0.0.1:1'])
    .map((address) => `server ${address} max_fails=2 fail_timeout=5s;`)
    .join('\n        ');
  const rendered = template
    .replaceAll('{{listen_port}}', listenAddress ? `${listenAddress}:${port}` : String(port))
    .replaceAll('{{api_upstreams}}', upstreams)
    .replaceAll('{{web_root}}', WEB_ROOT)
    .replaceAll('{{prefix}}', dir);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, rendered);
  return file;
}

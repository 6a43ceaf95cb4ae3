// Starts Koodi's own processes — API replicas, graders and NGINX in front — on top of
// PostgreSQL and Redis, and stops them again.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import {
  canConnect,
  canEnterAs,
  childPids,
  freePort,
  parentPid,
  processName,
  startLogged,
  waitFor,
} from './processes.ts';
import { checkoutSystemDir, DATA_DIR, ROOT } from './services.ts';
import { Supervisor, type ProcessState } from './supervisor.ts';
import { nginxWorkerIdentity } from './system.ts';

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
  /** Called when a process keeps crashing and is no longer restarted (default: only logged). */
  onCrashLoop?: (name: string, message: string) => void;
  /** Called with the current processes whenever one (re)starts, e.g. to record their pids. */
  onChange?: (processes: Map<string, ChildProcess>) => void;
}

export interface RunningStack {
  url: string;
  /** The current process of each name (api-1, grader-2, nginx); a restart replaces it. */
  readonly processes: Map<string, ChildProcess>;
  /** Ops (metrics and health) port of each API replica and grader. */
  opsPorts: Map<string, number>;
  state: (name: string) => ProcessState | undefined;
  /** How often a process has been restarted. */
  restarts: (name: string) => number;
  /** Stops everything, in order; nothing is restarted any more. */
  stop: () => Promise<void>;
}

const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
// The same V8 heap settings as the images: a small young generation and slow heap growth keep
// a replica near 145 MB under load instead of letting garbage pile up (apps/api/README.md).
const V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=20'];
const GRADER_MAIN = join(ROOT, 'apps/grader/dist/main.js');
const WEB_ROOT = join(ROOT, 'apps/web/dist');

// Stacks that share one local Redis keep their queues and caches apart in logical databases.
const REDIS_DATABASE: Record<string, number> = {
  stack: 0,
  e2e: 1,
  bench: 2,
  failover: 3,
  supervise: 4,
};

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
  const opsPorts = new Map<string, number>();
  const supervisor = new Supervisor({
    log: options.log,
    onCrashLoop: options.onCrashLoop,
    onChange: () => options.onChange?.(supervisor.processes),
  });
  // NGINX first so no new requests arrive, then the apps drain, each with its own grace.
  const stop = () => supervisor.stop((a, b) => rank(a) - rank(b));
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
        const name = `api-${i}`;
        const port = await freePort();
        const opsPort = await freePort();
        // A restarted replica gets the same ports, so NGINX's upstream list stays right.
        const env = {
          ...baseEnv,
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
          OPS_PORT: String(opsPort),
        };
        const logFile = join(dir, `${name}.log`);
        await supervisor.add({
          name,
          logFile,
          stopGraceMs: 10_000,
          spawn: () =>
            startLogged(process.execPath, [...V8_FLAGS, API_MAIN], logFile, { env, cwd: ROOT }),
          ready: (child) =>
            waitFor(name, () => httpOk(`http://127.0.0.1:${port}/api/health`), 60_000, child),
        });
        opsPorts.set(name, opsPort);
        options.log(`${name} ready on 127.0.0.1:${port} (metrics on :${opsPort})`);
        apiPorts.push(port);
      }
    } else {
      options.log('apps/api is not built: serving the web app without an API');
    }

    if (existsSync(GRADER_MAIN)) {
      for (let i = 1; i <= options.graders; i++) {
        const name = `grader-${i}`;
        const opsPort = await freePort();
        // The grader makes its queue consumer id unique per process, so a restart under the same
        // GRADER_ID never takes over the dead one's leased jobs by mistake (the reaper does).
        const env = { ...baseEnv, OPS_PORT: String(opsPort), GRADER_ID: `${name}-${process.pid}` };
        const logFile = join(dir, `${name}.log`);
        await supervisor.add({
          name,
          logFile,
          stopGraceMs: 20_000,
          spawn: () =>
            startLogged(process.execPath, [...V8_FLAGS, GRADER_MAIN], logFile, { env, cwd: ROOT }),
          ready: (child) => waitFor(name, () => canConnect(opsPort), 60_000, child),
        });
        opsPorts.set(name, opsPort);
        options.log(`${name} ready (metrics on :${opsPort})`);
      }
    }

    const places = nginxPlaces(dir);
    const config = renderNginxConfig({
      dir,
      tmpDir: places.tmpDir,
      webRoot: places.webRoot,
      port: options.port,
      apiPorts,
      submissionRate: options.nginxSubmissionRate,
    });
    if (places.outside) options.log(`NGINX's web files and temporary files: ${places.outside}`);
    const logFile = join(dir, 'nginx.log');
    // NGINX's workers outlive a master that was killed outright; they are ended before the next
    // master starts, or they would keep serving (and holding the port) with no one in charge.
    let workers: number[] = [];
    let watcher: NodeJS.Timeout | undefined;
    await supervisor.add({
      name: 'nginx',
      logFile,
      stopGraceMs: 10_000,
      spawn: () => {
        const child = startLogged(
          options.nginx,
          ['-p', dir, '-c', config, '-g', 'daemon off;'],
          logFile,
          { cwd: dir },
        );
        clearInterval(watcher);
        watcher = setInterval(() => {
          const now = childPids(child.pid!);
          if (now.length) workers = now;
        }, 1000);
        watcher.unref();
        return child;
      },
      ready: async (child) => {
        await waitFor('NGINX', () => httpOk(`http://127.0.0.1:${options.port}/`), 15_000, child);
        workers = childPids(child.pid!);
      },
      afterExit: () => {
        clearInterval(watcher);
        for (const pid of workers) {
          // Still an NGINX worker and orphaned (its parent is no NGINX master): not a pid that
          // was reused meanwhile, nor a worker of another NGINX.
          const parent = parentPid(pid);
          if (processName(pid) === 'nginx' && parent !== null && processName(parent) !== 'nginx') {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }
        workers = [];
      },
    });
    const url = `http://localhost:${options.port}`;
    options.log(`NGINX serving ${url}`);
    return {
      url,
      get processes() {
        return supervisor.processes;
      },
      opsPorts,
      state: (name) => supervisor.state(name),
      restarts: (name) => supervisor.restarts(name),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function rank(name: string): number {
  return name === 'nginx' ? 0 : name.startsWith('api') ? 1 : 2;
}

/**
 * Where NGINX's workers read the web files and write request bodies. As root, NGINX runs its
 * workers as `nobody`, which cannot enter a checkout in a private folder: then both go to a
 * per-checkout folder outside it (a fresh copy of the built web app each start).
 */
export function nginxPlaces(dir: string): {
  tmpDir: string;
  webRoot: string;
  outside: string | null;
} {
  const tmpDir = join(dir, 'tmp');
  const worker = nginxWorkerIdentity();
  const webBuilt = existsSync(WEB_ROOT);
  if (!worker || (canEnterAs(worker, tmpDir) && (!webBuilt || canEnterAs(worker, WEB_ROOT))))
    return { tmpDir, webRoot: WEB_ROOT, outside: null };
  const outside = join(checkoutSystemDir(), `nginx-${basename(dir)}`);
  rmSync(outside, { recursive: true, force: true });
  mkdirSync(join(outside, 'tmp'), { recursive: true, mode: 0o755 });
  const webRoot = join(outside, 'web');
  if (webBuilt) {
    cpSync(WEB_ROOT, webRoot, { recursive: true });
    // The copy, not the user's files: readable whatever the umask was at build time.
    const chmod = spawnSync('chmod', ['-R', 'u=rwX,go=rX', webRoot]);
    if (chmod.status !== 0) throw new Error(`could not make ${webRoot} readable`);
  }
  return { tmpDir: join(outside, 'tmp'), webRoot, outside };
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
  /** Default: the web app's build output in the checkout. */
  webRoot?: string;
  /** Default: tmp/ under `dir`. */
  tmpDir?: string;
}): string {
  const { dir, port, apiPorts, submissionRate, listenAddress } = options;
  const webRoot = options.webRoot ?? WEB_ROOT;
  const tmpDir = options.tmpDir ?? join(dir, 'tmp');
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
    .replaceAll('{{prefix}}/tmp/', `${tmpDir}/`)
    .replaceAll('{{listen_port}}', listenAddress ? `${listenAddress}:${port}` : String(port))
    .replaceAll('{{api_upstreams}}', upstreams)
    .replaceAll('{{web_root}}', webRoot)
    .replaceAll('{{prefix}}', dir);
  const unknown = /\{\{\w+\}\}/.exec(rendered);
  if (unknown) throw new Error(`unknown placeholder ${unknown[0]} in nginx.dev.conf`);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, rendered);
  return file;
}

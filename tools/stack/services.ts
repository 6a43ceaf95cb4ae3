// PostgreSQL and Redis for development and tests: the caller's own servers when DATABASE_URL and
// REDIS_URL are set, otherwise local servers with their data under .data/ on free ports.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  canConnect,
  canEnterAs,
  freePort,
  isAlive,
  startLogged,
  stopProcess,
  waitFor,
} from './processes.ts';
import { ensurePrograms, postgresRunAs, type ProgramName } from './system.ts';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const DATA_DIR = join(ROOT, '.data');
const STATE_FILE = join(DATA_DIR, 'services.json');
/** Per-checkout folders for what programs running as other users must reach (see below). */
export const SYSTEM_DATA_ROOT = '/var/lib/koodi';

/**
 * /var/lib/koodi/<hash of the checkout path>: for files that PostgreSQL or NGINX's workers, which
 * run as other users, must reach when the checkout lies in a folder only its owner may enter.
 * Only ever used as root. A `checkout` file inside names the checkout it belongs to.
 */
export function checkoutSystemPath(root = ROOT): string {
  return join(SYSTEM_DATA_ROOT, createHash('sha256').update(root).digest('hex').slice(0, 16));
}

/** checkoutSystemPath(), created (root-owned, 0755) with its `checkout` note. */
export function checkoutSystemDir(root = ROOT): string {
  const dir = checkoutSystemPath(root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(SYSTEM_DATA_ROOT, 0o755);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'checkout'), `${root}\n`);
  return dir;
}

export interface ServicesState {
  /** `dataDir`: where the cluster's files are (.data/postgres, or under /var/lib/koodi). */
  postgres: { pid: number; port: number; dataDir?: string };
  redis: { pid: number; port: number };
}

export interface Services {
  /** Server URL without a database name (…/postgres), for creating databases. */
  postgresServerUrl: string;
  redisUrl: string;
  /** True when this call started them; false when they were running or given by the caller. */
  started: boolean;
  external: boolean;
  stop: () => Promise<void>;
}

export function readState(file = STATE_FILE): ServicesState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServicesState;
  } catch {
    return null;
  }
}

/** Running means: the recorded processes are alive and their ports accept connections. */
export async function isStateRunning(state: ServicesState | null): Promise<boolean> {
  if (!state) return false;
  return (
    isAlive(state.postgres.pid) &&
    isAlive(state.redis.pid) &&
    (await canConnect(state.postgres.port)) &&
    (await canConnect(state.redis.port))
  );
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureServices(
  log: (line: string) => void,
  programs: readonly ProgramName[] = ['postgres', 'initdb', 'redis-server'],
): Promise<Services> {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (DATABASE_URL && REDIS_URL) {
    log('using DATABASE_URL and REDIS_URL from the environment');
    return {
      postgresServerUrl: databaseUrl(DATABASE_URL, 'postgres'),
      redisUrl: REDIS_URL,
      started: false,
      external: true,
      stop: async () => undefined,
    };
  }
  if (DATABASE_URL || REDIS_URL) {
    throw new Error(
      'set both DATABASE_URL and REDIS_URL, or neither (then local servers are started in .data/)',
    );
  }

  const found = ensurePrograms(programs, log);
  const existing = readState();
  if (await isStateRunning(existing)) {
    log(
      `PostgreSQL on :${existing!.postgres.port} and Redis on :${existing!.redis.port} already running (.data/)`,
    );
    return describe(existing!, false);
  }

  mkdirSync(DATA_DIR, { recursive: true });
  const postgres = await startPostgres(found.get('postgres')!, found.get('initdb')!, log);
  const redis = await startRedis(found.get('redis-server')!, log);
  const state: ServicesState = { postgres, redis };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  return describe(state, true);
}

function describe(state: ServicesState, started: boolean): Services {
  return {
    postgresServerUrl: `postgres://postgres@127.0.0.1:${state.postgres.port}/postgres`,
    redisUrl: `redis://127.0.0.1:${state.redis.port}`,
    started,
    external: false,
    stop: () => stopServices(state),
  };
}

export async function stopServices(state = readState()): Promise<void> {
  if (!state) return;
  // SIGINT is PostgreSQL's "fast" shutdown: it ends sessions and checkpoints.
  await Promise.all([
    stopProcess(state.postgres.pid, 15_000, 'SIGINT'),
    stopProcess(state.redis.pid, 10_000),
  ]);
  rmSync(STATE_FILE, { force: true });
}

/**
 * Where the cluster lives. Normally .data/postgres. As root the server runs as `postgres`, which
 * cannot enter a checkout inside a private folder (e.g. under /root or a `mktemp -d` folder):
 * then the cluster goes to /var/lib/koodi/<hash>/postgres instead, and stays there.
 */
export function postgresDataDir(runAs: { uid: number; gid: number } | null): string {
  const inCheckout = join(DATA_DIR, 'postgres');
  if (!runAs) return inCheckout;
  const outside = join(checkoutSystemPath(), 'postgres');
  if (existsSync(join(outside, 'PG_VERSION'))) return outside;
  if (canEnterAs(runAs, DATA_DIR)) return inCheckout;
  return join(checkoutSystemDir(), 'postgres');
}

async function startPostgres(postgres: string, initdb: string, log: (line: string) => void) {
  const runAs = postgresRunAs();
  const dir = postgresDataDir(runAs);
  // Its working folder must be one it may enter, as must every folder above the cluster.
  const cwd = dirname(dir);
  // Started as that user directly (not through runuser), so the pid recorded is PostgreSQL's own
  // and a stop signal reaches it.
  const identity = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  if (!dir.startsWith(DATA_DIR))
    log(`PostgreSQL's files are in ${dir} (the postgres user cannot enter this checkout)`);

  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log(`creating a PostgreSQL cluster in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const args = [
      '-D',
      dir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ];
    const result = spawnSync(initdb, args, { encoding: 'utf8', cwd, ...identity });
    if (result.status !== 0) throw new Error(`initdb failed:\n${result.stdout}${result.stderr}`);
  }
  await stopLeftoverPostmaster(dir);
  const port = await freePort();
  const logFile = join(DATA_DIR, 'postgres.log');
  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const child = startLogged(postgres, args, logFile, {
    detached: true,
    cwd,
    ...identity,
  });
  child.unref();
  await waitFor('PostgreSQL', () => pgReady(port), 30_000, child);
  log(`PostgreSQL ready on 127.0.0.1:${port}`);
  return { pid: child.pid!, port, dataDir: dir };
}

/** A server of ours still running on this cluster with no record of it (e.g. its starter was killed). */
async function stopLeftoverPostmaster(dir: string): Promise<void> {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (pid && isAlive(pid)) await stopProcess(pid, 15_000, 'SIGINT');
}

async function pgReady(port: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startRedis(redisServer: string, log: (line: string) => void) {
  const dir = join(DATA_DIR, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = startLogged(
    redisServer,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      // Queues and leases must never be evicted to make room.
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    join(DATA_DIR, 'redis.log'),
    { detached: true },
  );
  child.unref();
  await waitFor('Redis', () => canConnect(port), 15_000, child);
  log(`Redis ready on 127.0.0.1:${port}`);
  return { pid: child.pid!, port };
}

/** Creates the database when missing. With `fresh`, drops it first. */
export async function ensureDatabase(
  serverUrl: string,
  name: string,
  fresh = false,
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    if (fresh) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(serverUrl, name);
}

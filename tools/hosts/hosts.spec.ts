// Koodi on several hosts of one machine (network namespaces, tools/hosts/network.ts): a data host,
// two API hosts, three grader hosts, an edge host with NGINX and a load host with the students.
// Scenario 1: 2,000 submissions while a grader host's link is cut, a second grader host loses
// power, an API host's link is cut and the first grader host comes back. Scenario 2: Redis with
// Sentinel, its primary hung (SIGSTOP) mid-load. Both count what was accepted, lost, doubled and
// graded wrongly, and how long each fault took to recover from. Run by `npm run test:hosts`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appendFileSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { canEnterAs, stopProcess, waitFor } from '../stack/processes.ts';
import { checkoutSystemDir, DATA_DIR, ROOT } from '../stack/services.ts';
import { nginxPlaces, renderNginxConfig } from '../stack/stack.ts';
import { findProgram, postgresRunAs } from '../stack/system.ts';
import { GRADING_QUEUE } from '@koodi/contracts';
import { DESERVES, kindOfCode, type LoadPlan, type LoadResult } from './load.ts';
import { killHost, leftovers, Network, removeAll, SUBNET } from './network.ts';

const run = promisify(execFile);
const DIR = join(DATA_DIR, 'hosts');
const NODE = process.execPath;
const V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=20'];
const HEARTBEAT_TTL_MS = 3_000;
const SENTINEL_NAME = 'koodi';
const LOAD_LIMIT_MS = 6 * 60_000;
const TEST_TIMEOUT_MS = 9 * 60_000;

const HOSTS = {
  data: 10,
  r1: 11,
  r2: 12,
  r3: 13,
  api1: 21,
  api2: 22,
  g1: 31,
  g2: 32,
  g3: 33,
  edge: 40,
  load: 50,
};
const at = (name: keyof typeof HOSTS) => `${SUBNET}.${HOSTS[name]}`;
const PG_URL = (db: string) => `postgres://postgres@${at('data')}:5432/${db}`;
const EDGE = `http://${at('edge')}:8080`;

const skip =
  process.getuid?.() !== 0
    ? 'needs root (network namespaces, veth links and a bridge are made with iproute2)'
    : spawnSync('ip', ['-V']).status !== 0
      ? 'needs iproute2 (ip)'
      : false;

let network: Network;
const log = (line: string) => console.log(`# hosts: ${line}`);

/** Set once this run has made its namespaces; only then are namespaces ours to remove. */
let owned = false;
/** Why the scenarios cannot run (each then fails with it, so the failure is counted). */
let refused: string | undefined;

function cleanUp(): void {
  if (!owned) return;
  const removed = removeAll();
  if (removed.length) log(`removed ${removed.length} namespaces and everything that ran in them`);
}

/** Waits for a probe run on a host (synchronous, a short command) with the stack's `waitFor`. */
function until(
  what: string,
  check: () => boolean,
  ms: number,
  child?: ChildProcess,
): Promise<void> {
  return waitFor(what, async () => check(), ms, child);
}

function probe(command: string, args: string[]): boolean {
  try {
    network.run('load', command, args, 5_000);
    return true;
  } catch {
    return false;
  }
}

function redisCli(host: string, port: number, args: string[]): string {
  return network
    .run('load', 'redis-cli', ['-h', host, '-p', String(port), '--raw', ...args], 5_000)
    .trim();
}

async function startPostgres(): Promise<ChildProcess> {
  const runAs = postgresRunAs()!;
  // The server runs as `postgres`, which cannot enter a checkout inside a private folder (root's
  // home, a `mktemp -d` folder): its files then go where the stack puts its own cluster.
  const dir = canEnterAs(runAs, DIR)
    ? join(DIR, 'postgres')
    : join(checkoutSystemDir(), 'hosts-postgres');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, runAs.uid, runAs.gid);
  execFileSync(
    findProgram('initdb')!,
    ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync'],
    { uid: runAs.uid, gid: runAs.gid, cwd: dirname(dir), stdio: 'ignore' },
  );
  // Trust inside the test's own subnet only; the addresses exist nowhere else.
  appendFileSync(join(dir, 'pg_hba.conf'), `host all all ${SUBNET}.0/24 trust\n`);
  const args = [
    '-D',
    dir,
    '-c',
    `listen_addresses=${at('data')}`,
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=off',
  ];
  const setpriv = [
    '--reuid',
    String(runAs.uid),
    '--regid',
    String(runAs.gid),
    '--clear-groups',
    findProgram('postgres')!,
  ];
  const child = network.start('data', 'setpriv', [...setpriv, ...args], join(DIR, 'postgres.log'));
  await until(
    'PostgreSQL',
    () => probe('pg_isready', ['-q', '-h', at('data'), '-p', '5432']),
    30_000,
    child,
  );
  return child;
}

/** A fresh database, migrated by the project's own runner from the load host. */
async function freshDatabase(name: string): Promise<string> {
  network.run('load', 'psql', [
    PG_URL('postgres'),
    '-qc',
    `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
  ]);
  network.run('load', 'psql', [PG_URL('postgres'), '-qc', `CREATE DATABASE ${name}`]);
  const url = PG_URL(name);
  network.run('load', NODE, [join(ROOT, 'tools/migrate/main.ts')], 60_000, {
    ...process.env,
    DATABASE_URL: url,
  });
  return url;
}

function redisArgs(host: string, extra: string[] = []): string[] {
  // A folder of its own: a replica writes the primary's snapshot there when it first syncs.
  const dir = join(DIR, `redis-${host}`);
  mkdirSync(dir, { recursive: true });
  return [
    '--dir',
    dir,
    '--bind',
    host,
    '--port',
    '6379',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    ...extra,
  ];
}

interface Apps {
  processes: Map<string, ChildProcess>;
  stop: () => Promise<void>;
}

/** Two API hosts, three graders and NGINX on the edge, all configured by `redisEnv`. */
async function startApps(
  name: string,
  databaseUrl: string,
  redisEnv: Record<string, string>,
): Promise<Apps> {
  const dir = join(DIR, name);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const processes = new Map<string, ChildProcess>();
  const stop = async () => {
    for (const [, child] of processes) await stopProcess(child.pid, 5_000);
    processes.clear();
  };
  // Redis settings of the calling environment (npm test's own stack) must not leak in.
  const { REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_NAME, ...inherited } = process.env;
  void [REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_NAME];
  const env = {
    ...inherited,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    COOKIE_SECRET: 'hosts-scenario-cookie-secret-0123456789abcdef',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '0',
    RECONCILE_AFTER_SECONDS: '5',
    RECONCILE_INTERVAL_SECONDS: '1',
    HEARTBEAT_TTL_MS: String(HEARTBEAT_TTL_MS),
    GRADER_SLOTS: '1',
    TRUST_PROXY: at('edge'),
    LOG_LEVEL: 'warn',
    ...redisEnv,
  };
  try {
    for (const api of ['api1', 'api2'] as const) {
      const child = network.start(
        api,
        NODE,
        [...V8_FLAGS, join(ROOT, 'apps/api/dist/main.js')],
        join(dir, `${api}.log`),
        {
          ...env,
          API_HOST: at(api),
          API_PORT: '3000',
          OPS_HOST: at(api),
          OPS_PORT: '9100',
        },
      );
      processes.set(api, child);
    }
    for (const grader of ['g1', 'g2', 'g3'] as const) {
      const child = network.start(
        grader,
        NODE,
        [...V8_FLAGS, join(ROOT, 'apps/grader/dist/main.js')],
        join(dir, `${grader}.log`),
        {
          ...env,
          // Probed from the load host, so on the host's own address (the default is loopback).
          OPS_HOST: at(grader),
          OPS_PORT: '9200',
          GRADER_ID: `grader-${grader}`,
          LOG_LEVEL: 'warn',
        },
      );
      processes.set(grader, child);
    }
    for (const api of ['api1', 'api2'] as const) {
      await until(
        api,
        () => network.httpOk('load', `http://${at(api)}:3000/api/health`),
        60_000,
        processes.get(api),
      );
    }
    for (const grader of ['g1', 'g2', 'g3'] as const) {
      await until(
        grader,
        () => network.httpOk('load', `http://${at(grader)}:9200/health/live`),
        60_000,
        processes.get(grader),
      );
    }
    // As root, NGINX's workers are `nobody`: the same places the stack gives them (a private checkout).
    const places = nginxPlaces(dir);
    const config = renderNginxConfig({
      dir,
      tmpDir: places.tmpDir,
      webRoot: places.webRoot,
      port: 8080,
      apiPorts: [],
      apiAddresses: [`${at('api1')}:3000`, `${at('api2')}:3000`],
      listenAddress: at('edge'),
      submissionRate: '100000r/s',
    });
    const nginx = network.start(
      'edge',
      findProgram('nginx')!,
      ['-p', dir, '-c', config, '-g', 'daemon off;'],
      join(dir, 'nginx.log'),
    );
    processes.set('nginx', nginx);
    await until('NGINX', () => network.httpOk('load', `${EDGE}/`), 15_000, nginx);
    return { processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the students on the load host; `onProgress` sees the count of submissions sent. */
function runLoad(
  databaseUrl: string,
  assignmentId: string,
  submissions: number,
  onProgress: (sent: number) => void,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DATABASE_URL: databaseUrl };
    const plan: LoadPlan = {
      base: EDGE,
      assignmentId,
      submissions,
      students: Math.ceil(submissions / 5),
      finishMs: 150_000,
    };
    const script = join(ROOT, 'tools/hosts/load.ts');
    const args = [script, 'load', JSON.stringify(plan)];
    const child = network.start('load', NODE, args, join(DIR, 'load.log'), env, true);
    let result: LoadResult | undefined;
    // Bounded: sending, every verdict and the final wait (`finishMs`) fit well inside this.
    const limit = setTimeout(() => child.kill('SIGKILL'), LOAD_LIMIT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('progress ')) onProgress(Number(line.slice(9)));
      else if (line.startsWith('result ')) result = JSON.parse(line.slice(7));
    });
    lines.on('close', () => {
      clearTimeout(limit);
      if (result) resolve(result);
      else reject(new Error('the load host gave no result in time (.data/hosts/load.log)'));
    });
  });
}

async function setupAssignment(databaseUrl: string): Promise<string> {
  const script = join(ROOT, 'tools/hosts/load.ts');
  const out = network.run('load', NODE, [script, 'setup'], 30_000, {
    ...process.env,
    DATABASE_URL: databaseUrl,
  });
  return JSON.parse(out.trim().split('\n').pop()!.slice(7)).assignmentId;
}

interface Counts {
  accepted: number;
  final: number;
  lost: number;
  gradedTwice: number;
  duplicateRows: number;
  wrongVerdicts: number;
  inFlight: number;
}

function count(result: LoadResult): Counts {
  const rowsById = new Map(result.rows.map((row) => [row.id, row]));
  const rowsByCode = new Map<string, number>();
  for (const row of result.rows) rowsByCode.set(row.code, (rowsByCode.get(row.code) ?? 0) + 1);
  const final = result.rows.filter((row) => ['passed', 'failed', 'error'].includes(row.status));
  const wrong = final.filter((row) => {
    const deserved = DESERVES[kindOfCode(row.code)];
    return row.status !== deserved.status || row.verdict !== deserved.verdict;
  });
  return {
    accepted: result.accepted.length,
    final: final.length,
    lost: result.accepted.filter((a) => {
      const row = rowsById.get(a.id);
      return !row || row.code !== a.code || !['passed', 'failed', 'error'].includes(row.status);
    }).length,
    gradedTwice: result.rows.filter((row) => row.attempts > 1).length,
    duplicateRows: [...rowsByCode.values()].filter((n) => n > 1).length,
    wrongVerdicts: wrong.length,
    inFlight: result.inFlight,
  };
}

/** The ids a host's graders hold leased at this moment (their processing lists). */
async function leasedBy(grader: string, redisHost: string): Promise<string[]> {
  const cli = async (args: string[]) => {
    const load = network.host('load').namespace;
    const command = ['netns', 'exec', load, 'redis-cli', '-h', redisHost, '--raw', ...args];
    const { stdout } = await run('ip', command, { timeout: 5_000 });
    return stdout.split('\n').filter(Boolean);
  };
  const pattern = `${GRADING_QUEUE}:processing:grader-${grader}-*`;
  const ids: string[] = [];
  for (const key of await cli(['--scan', '--pattern', pattern])) {
    // The message id is the submission id (apps/api grading-queue.service.ts).
    for (const raw of await cli(['lrange', key, '0', '-1'])) ids.push(JSON.parse(raw).id);
  }
  return ids;
}

/** Seconds from `from` until every one of `ids` had its verdict written (null: none were held). */
function regradedWithin(result: LoadResult, ids: string[], from: number): number | null {
  if (ids.length === 0) return null;
  const rows = new Map(result.rows.map((row) => [row.id, row]));
  let last = from;
  for (const id of ids) {
    const gradedAt = rows.get(id)?.gradedAt;
    if (gradedAt == null) return Infinity;
    last = Math.max(last, gradedAt);
  }
  return (last - from) / 1000;
}

/** Seconds from `from` to the last refused POST before `to` (0: none was refused). */
function refusalsWithin(result: LoadResult, from: number, to: number): number {
  const failed = result.attempts.filter((a) => !a.ok && a.at >= from && a.at < to).map((a) => a.at);
  return failed.length ? (Math.max(...failed) - from) / 1000 : 0;
}

/** Seconds until `check` holds, polled without blocking the event loop; null after `ms`. */
async function secondsUntil(check: () => Promise<boolean>, ms: number): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check().catch(() => false)) return (Date.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}

async function gradedJobs(grader: string): Promise<number> {
  const { stdout } = await run('ip', [
    'netns',
    'exec',
    network.host('load').namespace,
    'curl',
    '-fsS',
    '--max-time',
    '1',
    `http://${at(grader as 'g1')}:9200/metrics`,
  ]);
  let total = 0;
  for (const line of stdout.split('\n'))
    if (line.startsWith('koodi_grader_jobs_total')) total += Number(line.split(' ').pop());
  return total;
}

function report(
  name: string,
  counts: Counts,
  recovery: Record<string, number | null>,
  result: LoadResult,
): void {
  log(`${name}: ${JSON.stringify(counts)}`);
  log(
    `${name}: refused attempts ${JSON.stringify(result.refused)} (retried with the same Idempotency-Key)`,
  );
  log(`${name}: seconds from each fault to full service ${JSON.stringify(recovery)}`);
}

function assertSound(counts: Counts, submissions: number): void {
  assert.equal(counts.inFlight, 0, 'every submission reached a final state');
  assert.ok(
    counts.accepted >= submissions * 0.95,
    `most submissions were accepted (${counts.accepted})`,
  );
  assert.equal(counts.lost, 0, 'no accepted submission was lost');
  assert.equal(counts.duplicateRows, 0, 'no POST became two rows');
  assert.equal(counts.wrongVerdicts, 0, 'each verdict is what its code deserves');
}

// Skipped per test, not per suite, so the runner counts (and CI reports) the two as skipped.
describe('several hosts on one machine', () => {
  let postgres: ChildProcess;

  before(async () => {
    if (skip) return;
    const found = leftovers();
    if (found.length) {
      refused =
        `namespaces of an earlier run exist (${found.join(', ')}): another run is going on, or one was ` +
        'killed before it could clean up. Remove them with `npm run test:hosts -- --clean` and start again.';
      return;
    }
    for (const main of ['apps/api/dist/main.js', 'apps/grader/dist/main.js']) {
      if (!existsSync(join(ROOT, main))) {
        refused = `${main} is missing: run \`npx nx run-many -t build\``;
        return;
      }
    }
    // Logs and data of the last run only.
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'load.log'), '');
    // Whatever ends this process, the namespaces and what runs in them go too.
    process.once('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        cleanUp();
        process.exit(130);
      });
    }
    owned = true;
    network = Network.build(HOSTS);
    log(`built ${network.hosts.size} hosts on a bridge (${SUBNET}.0/24, inside namespaces only)`);
    postgres = await startPostgres();
  });

  after(async () => {
    if (!owned) return;
    await stopProcess(postgres?.pid, 10_000, 'SIGINT');
    cleanUp();
  });

  it(
    '2,000 submissions survive a cut grader, a dead grader host, a cut API host and a late grader',
    { skip, timeout: TEST_TIMEOUT_MS },
    async () => {
      if (refused) throw new Error(refused);
      const SUBMISSIONS = 2_000;
      const databaseUrl = await freshDatabase('koodi_hosts');
      const redis = network.start(
        'data',
        findProgram('redis-server')!,
        redisArgs(at('data')),
        join(DIR, 'redis.log'),
      );
      await until('Redis', () => probe('redis-cli', ['-h', at('data'), 'ping']), 15_000, redis);
      const apps = await startApps('plain', databaseUrl, {
        REDIS_URL: `redis://${at('data')}:6379`,
      });
      try {
        const assignmentId = await setupAssignment(databaseUrl);
        const faults: Record<string, number> = {};
        const held: Record<string, string[]> = {};
        const backWithin: Record<string, Promise<number | null>> = {};
        // Faults run one after another, each when its share of submissions has been sent.
        let chain: Promise<void> = Promise.resolve();
        const planned = new Set<string>();
        const plan = (sent: number, share: number, name: string, action: () => Promise<void>) => {
          if (sent < SUBMISSIONS * share || planned.has(name)) return;
          planned.add(name);
          chain = chain.then(action);
        };
        /** A grader fault strikes while the host holds a job, so its lease is what is tested. */
        const graderFault = (name: string, grader: string, fault: () => string) => async () => {
          // The same job held at two looks 150 ms apart is a long one: it is still held at the fault.
          let before: string[] = [];
          await secondsUntil(async () => {
            const now = await leasedBy(grader, at('data'));
            const still = now.some((id) => before.includes(id));
            before = now;
            if (!still) await new Promise((resolve) => setTimeout(resolve, 150));
            return still;
          }, 20_000);
          faults[name] = Date.now();
          const what = fault();
          // Read after the fault: the host can no longer take or hand back anything.
          held[name] = await leasedBy(grader, at('data'));
          log(`${what}; it held ${held[name].length} job(s)`);
          backWithin[name] = secondsUntil(
            async () => (await leasedBy(grader, at('data'))).length === 0,
            60_000,
          ).then((s) => (s === null ? null : (Date.now() - faults[name]!) / 1000));
        };
        const result = await runLoad(databaseUrl, assignmentId, SUBMISSIONS, (sent) => {
          plan(
            sent,
            0.3,
            'cutGrader',
            graderFault('cutGrader', 'g1', () => {
              network.cut('g1');
              return "30 %: cut g1's link";
            }),
          );
          plan(
            sent,
            0.5,
            'killedGrader',
            graderFault('killedGrader', 'g2', () => {
              const n = killHost(network.host('g2').namespace);
              return `50 %: killed every process of g2 (${n})`;
            }),
          );
          plan(sent, 0.6, 'cutApi', async () => {
            faults.cutApi = Date.now();
            network.cut('api1');
            log("60 %: cut api1's link");
          });
          plan(sent, 0.75, 'healedGrader', async () => {
            faults.healedGrader = Date.now();
            const before = await gradedJobs('g1').catch(() => 0);
            network.heal('g1');
            log("75 %: healed g1's link");
            backWithin.healedGrader = secondsUntil(
              async () => (await gradedJobs('g1')) > before,
              60_000,
            ).then((s) => (s === null ? null : (Date.now() - faults.healedGrader!) / 1000));
          });
        });
        await chain;
        const counts = count(result);
        /** Its jobs were reaped back to the queue and each got its one verdict. */
        const graderBack = async (name: string) => {
          const reaped = await backWithin[name];
          const graded = regradedWithin(result, held[name] ?? [], faults[name]!);
          return reaped === null || graded === Infinity ? null : Math.max(reaped, graded ?? 0);
        };
        const recovery = {
          'grader link cut: its jobs reaped and graded elsewhere': await graderBack('cutGrader'),
          'grader host killed: its jobs reaped and graded elsewhere':
            await graderBack('killedGrader'),
          'API link cut: last refused POST': refusalsWithin(result, faults.cutApi!, Infinity),
          'grader link healed: it grades again': await backWithin.healedGrader!,
        };
        report('faults', counts, recovery, result);
        log(
          `faults: jobs held by the cut grader ${held.cutGrader?.length}, by the killed one ${held.killedGrader?.length}`,
        );
        assertSound(counts, SUBMISSIONS);
        assert.deepEqual(Object.keys(faults).sort(), [
          'cutApi',
          'cutGrader',
          'healedGrader',
          'killedGrader',
        ]);
        for (const name of ['cutGrader', 'killedGrader']) {
          assert.ok((held[name]?.length ?? 0) > 0, `${name}: the host held a job when it failed`);
        }
        for (const [what, seconds] of Object.entries(recovery)) {
          assert.notEqual(seconds, null, `${what}: recovered in bounded time`);
        }
      } finally {
        await apps.stop();
        await stopProcess(redis.pid);
        network.heal('api1');
        network.heal('g1');
      }
    },
  );

  it(
    'Redis Sentinel: the primary hangs mid-load, API and graders follow the new primary',
    { skip, timeout: TEST_TIMEOUT_MS },
    async () => {
      if (refused) throw new Error(refused);
      const SUBMISSIONS = 600;
      const databaseUrl = await freshDatabase('koodi_hosts_sentinel');
      const started: ChildProcess[] = [];
      try {
        const primary = network.start(
          'r1',
          findProgram('redis-server')!,
          redisArgs(at('r1')),
          join(DIR, 'redis-r1.log'),
        );
        const replica = network.start(
          'r2',
          findProgram('redis-server')!,
          redisArgs(at('r2'), ['--replicaof', at('r1'), '6379']),
          join(DIR, 'redis-r2.log'),
        );
        started.push(primary, replica);
        await until(
          'Redis primary',
          () => probe('redis-cli', ['-h', at('r1'), 'ping']),
          15_000,
          primary,
        );
        await until(
          'Redis replica in sync',
          () => redisCli(at('r2'), 6379, ['info', 'replication']).includes('master_link_status:up'),
          20_000,
          replica,
        );
        for (const host of ['r1', 'r2', 'r3'] as const) {
          const file = join(DIR, `sentinel-${host}.conf`);
          writeFileSync(
            file,
            [
              `bind ${at(host)}`,
              'port 26379',
              'protected-mode no',
              `dir ${DIR}`,
              `sentinel monitor ${SENTINEL_NAME} ${at('r1')} 6379 2`,
              `sentinel down-after-milliseconds ${SENTINEL_NAME} 1500`,
              `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
              `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
              '',
            ].join('\n'),
          );
          // redis-sentinel is redis-server in sentinel mode (Debian's redis-sentinel package runs the same).
          const sentinel = network.start(
            host,
            findProgram('redis-server')!,
            [file, '--sentinel'],
            join(DIR, `sentinel-${host}.log`),
          );
          started.push(sentinel);
          await until(
            `sentinel on ${host}`,
            () => probe('redis-cli', ['-h', at(host), '-p', '26379', 'ping']),
            15_000,
            sentinel,
          );
        }
        const sentinels = (['r1', 'r2', 'r3'] as const).map((h) => `${at(h)}:26379`).join(',');
        const apps = await startApps('sentinel', databaseUrl, {
          REDIS_SENTINELS: sentinels,
          REDIS_SENTINEL_NAME: SENTINEL_NAME,
        });
        try {
          const assignmentId = await setupAssignment(databaseUrl);
          let hungAt = 0;
          let promoted: Promise<number | null> = Promise.resolve(null);
          const result = await runLoad(databaseUrl, assignmentId, SUBMISSIONS, (sent) => {
            if (sent >= SUBMISSIONS * 0.4 && !hungAt) {
              hungAt = Date.now();
              // Stopped, not killed: its sockets stay open and silent, the worst case for a client.
              process.kill(primary.pid!, 'SIGSTOP');
              log('40 %: primary r1 stopped (SIGSTOP); it stays stopped to the end');
              promoted = secondsUntil(async () => {
                const { stdout } = await run('ip', [
                  'netns',
                  'exec',
                  network.host('load').namespace,
                  'redis-cli',
                  '-h',
                  at('r3'),
                  '-p',
                  '26379',
                  'sentinel',
                  'get-master-addr-by-name',
                  SENTINEL_NAME,
                ]);
                return stdout.startsWith(at('r2'));
              }, 60_000);
            }
          });
          const counts = count(result);
          const after = result.rows.filter(
            (row) => row.createdAt > hungAt && row.gradedAt !== null,
          );
          const recovery = {
            'sentinels promoted the replica': await promoted,
            'first verdict for a submission made after the fault': after.length
              ? (Math.min(...after.map((row) => row.gradedAt!)) - hungAt) / 1000
              : null,
            'last refused POST': refusalsWithin(result, hungAt, Infinity),
          };
          report('sentinel', counts, recovery, result);
          assert.ok(hungAt > 0, 'the primary was stopped mid-load');
          assert.notEqual(
            recovery['sentinels promoted the replica'],
            null,
            'the replica became the primary',
          );
          assert.ok(after.length > 0, 'submissions made after the fault were graded');
          assertSound(counts, SUBMISSIONS);
        } finally {
          await apps.stop();
        }
      } finally {
        for (const child of started) {
          try {
            process.kill(child.pid!, 'SIGCONT');
          } catch {
            // gone
          }
          await stopProcess(child.pid, 5_000);
        }
      }
    },
  );
});

// The image smoke test: builds every image, starts infra/compose.yml, waits for health, submits
// a solution through NGINX and sees it graded, checks the identity cookie over HTTPS and plain
// HTTP, then tears everything down. Docker or podman,
// whichever works here; base images that cannot be pulled are replaced by local stand-ins
// (tools/images/standins). Prints how long each stage took.
//
//   tools/images/smoke [--keep]   --keep leaves the stack running (for k6 or a look around) and
//                                 writes .data/images-smoke.json; `tools/images/smoke --down` stops it.
// KOODI_HTTP_PORT and KOODI_HTTPS_PORT pick the published ports (default: free ones). HTTPS is
// checked too: NGINX with the secrets tool's self-signed certificate, the Secure cookie and HSTS.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeOf, detectEngine, type Engine } from './engine.ts';
import { ensureBaseImages } from './standins.ts';
import { ROOT, run, runQuiet } from './exec.ts';
import { writeSecrets } from './secrets.ts';
import { submitAndGrade } from './submit.ts';
import { checkSchemes } from './schemes.ts';
import { freePort } from '@koodi/tools/stack/processes.ts';

const PROJECT = 'koodi-smoke';
const STATE_FILE = join(ROOT, '.data', 'images-smoke.json');
const COMPOSE_FILE = join(ROOT, 'infra', 'compose.yml');

interface SmokeState {
  url: string;
  project: string;
  compose: string[];
  env: Record<string, string>;
  work: string;
}
const TAG = 'smoke';
const APP_IMAGES = ['api', 'grader', 'web'] as const;

interface Stage {
  name: string;
  seconds: number;
  outcome: string;
}

const stages: Stage[] = [];

/** Docker needs the sandbox security override (infra/compose.docker.yml); podman does not. */
function composeFiles(engine: Engine): string[] {
  const files = ['-f', COMPOSE_FILE];
  if (engine.name === 'docker') files.push('-f', join(ROOT, 'infra', 'compose.docker.yml'));
  return files;
}

async function stage<T>(
  name: string,
  work: () => Promise<T>,
  outcome: (value: T) => string = () => 'ok',
): Promise<T> {
  console.log(`\n=== ${name}`);
  const started = performance.now();
  try {
    const value = await work();
    stages.push({ name, seconds: (performance.now() - started) / 1000, outcome: outcome(value) });
    return value;
  } catch (error) {
    stages.push({
      name,
      seconds: (performance.now() - started) / 1000,
      outcome: `FAILED: ${firstLine(error)}`,
    });
    throw error;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 160);
}

function printStages(): void {
  console.log('\nstage                                     seconds  outcome');
  for (const { name, seconds, outcome } of stages) {
    console.log(`${name.padEnd(40)} ${seconds.toFixed(1).padStart(8)}  ${outcome}`);
  }
  const total = stages.reduce((sum, { seconds }) => sum + seconds, 0);
  console.log(`${'total'.padEnd(40)} ${total.toFixed(1).padStart(8)}`);
}

async function buildAppImages(engine: Engine, caFile: string): Promise<void> {
  for (const app of APP_IMAGES) {
    await stage(`build koodi/${app}`, () =>
      run(engine.bin, [
        'build',
        ...engine.buildArgs,
        '--secret',
        `id=ca,src=${caFile}`,
        '-f',
        `apps/${app}/Dockerfile`,
        '-t',
        `koodi/${app}:${TAG}`,
        '.',
      ]),
    );
  }
}

async function containerOf(engine: Engine, service: string): Promise<string> {
  const ids = await runQuiet(engine.bin, [
    'ps',
    '-a',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = ids.trim().split('\n').filter(Boolean)[0];
  if (!id) throw new Error(`no container for service ${service}`);
  return id;
}

async function waitHealthy(engine: Engine, services: string[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(services);
  while (pending.size > 0) {
    for (const service of [...pending]) {
      const id = await containerOf(engine, service);
      const state = (await runQuiet(engine.bin, ['inspect', '-f', '{{.State.Status}}', id])).trim();
      if (state === 'exited' || state === 'dead') {
        await run(engine.bin, ['logs', '--tail', '60', id], { allowFailure: true });
        throw new Error(`${service} stopped (${state}) before becoming healthy`);
      }
      if (await engine.isHealthy(id)) {
        pending.delete(service);
        console.log(`${service} healthy`);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline)
      throw new Error(`not healthy within ${timeoutMs / 1000} s: ${[...pending].join(', ')}`);
    await sleep(1000);
  }
}

async function dumpLogs(engine: Engine): Promise<void> {
  for (const service of [
    'migrate',
    'content-sync',
    'api-1',
    'api-2',
    'grader-1',
    'grader-2',
    'web',
  ]) {
    try {
      const id = await containerOf(engine, service);
      console.log(`\n--- logs of ${service}`);
      await run(engine.bin, ['logs', '--tail', '40', id], { allowFailure: true });
    } catch {
      // The service never got a container.
    }
  }
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const work = await mkdtemp(join(tmpdir(), 'koodi-smoke-'));
  let engine: Engine | undefined;
  let composeStarted = false;
  let failed = false;
  try {
    engine = await stage(
      'container engine',
      () => detectEngine(work),
      (found) => `${found.name} (${found.describe})`,
    );
    const compose = await stage(
      'compose tool',
      () => composeOf(engine!),
      (found) => found.join(' '),
    );
    const caFile = join(work, 'ca.pem');
    // An empty secret when the host trusts no extra authority: the Dockerfiles test for -s.
    await writeFile(
      caFile,
      process.env.NODE_EXTRA_CA_CERTS
        ? await readFile(process.env.NODE_EXTRA_CA_CERTS, 'utf8')
        : '',
    );

    await stage(
      'base images (pull or stand-in)',
      () => ensureBaseImages(engine!, work, caFile),
      (made) => (made.length ? `stand-ins: ${made.join(', ')}` : 'all present'),
    );
    await buildAppImages(engine, caFile);

    const secretsDir = join(work, 'secrets');
    await writeSecrets(secretsDir);
    const port = Number(process.env.KOODI_HTTP_PORT) || (await freePort());
    const httpsPort = Number(process.env.KOODI_HTTPS_PORT) || (await freePort());
    process.env.KOODI_SECRETS_DIR = secretsDir;
    process.env.KOODI_TAG = TAG;
    process.env.KOODI_IMAGE_PREFIX = 'koodi';
    process.env.KOODI_HTTP_PORT = String(port);
    process.env.KOODI_HTTPS_PORT = String(httpsPort);
    process.env.KOODI_GRADER_SECCOMP = join(ROOT, 'infra', 'compose.grader-seccomp.json');
    const composeArgs = [...compose.slice(1), '-p', PROJECT, ...composeFiles(engine)];
    const composeRun = (args: string[]) => run(compose[0], [...composeArgs, ...args]);

    composeStarted = true;
    await stage('start postgres + redis', async () => {
      await composeRun(['up', '-d', '--no-deps', 'postgres', 'redis']);
      await waitHealthy(engine!, ['postgres', 'redis']);
    });
    // One-shot jobs: started detached and awaited through the engine, whose exit code is
    // reliable (podman-compose 1.0's `run` reports success whatever the container returned).
    const job = async (service: string) => {
      await composeRun(['up', '-d', '--no-deps', service]);
      const id = await containerOf(engine!, service);
      const code = Number((await runQuiet(engine!.bin, ['wait', id])).trim().split('\n').pop());
      await run(engine!.bin, ['logs', '--tail', '40', id], { allowFailure: true });
      if (code !== 0) throw new Error(`${service} exited with ${code}`);
    };
    await stage('migrate (flyway)', () => job('migrate'));
    await stage('content sync', () => job('content-sync'));
    await stage('start api ×2 + grader ×2', async () => {
      await composeRun(['up', '-d', '--no-deps', 'api-1', 'api-2', 'grader-1', 'grader-2']);
      await waitHealthy(engine!, ['api-1', 'api-2', 'grader-1', 'grader-2']);
    });
    await stage('start web (nginx)', async () => {
      await composeRun(['up', '-d', '--no-deps', 'web']);
      await waitHealthy(engine!, ['web']);
    });
    await stage(
      'submit through NGINX and see it graded',
      () => submitAndGrade(`http://127.0.0.1:${port}`),
      (result) => result,
    );
    const certificate = await readFile(join(secretsDir, 'tls', 'cert.pem'), 'utf8');
    await stage(
      'identity over HTTPS and plain HTTP',
      () => checkSchemes(`http://127.0.0.1:${port}`, `https://127.0.0.1:${httpsPort}`, certificate),
      (result) => result,
    );
    if (keep) {
      const state: SmokeState = {
        url: `http://127.0.0.1:${port}`,
        project: PROJECT,
        compose: [compose[0], ...composeArgs],
        env: {
          KOODI_SECRETS_DIR: secretsDir,
          KOODI_TAG: TAG,
          KOODI_IMAGE_PREFIX: 'koodi',
          KOODI_HTTP_PORT: String(port),
          KOODI_HTTPS_PORT: String(httpsPort),
          KOODI_GRADER_SECCOMP: process.env.KOODI_GRADER_SECCOMP,
        },
        work,
      };
      await mkdir(join(ROOT, '.data'), { recursive: true });
      await writeFile(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
      console.log(
        `\nthe stack stays up at ${state.url} (${STATE_FILE}); stop it with: tools/images/smoke --down`,
      );
    }
    return 0;
  } catch (error) {
    failed = true;
    console.error(`\nsmoke test failed: ${error instanceof Error ? error.message : String(error)}`);
    if (engine && composeStarted) await dumpLogs(engine);
    return 1;
  } finally {
    if (engine && composeStarted && !keep) {
      const compose = await composeOf(engine);
      await stage('tear down', () =>
        run(
          compose[0],
          [...compose.slice(1), '-p', PROJECT, ...composeFiles(engine!), 'down', '-v'],
          { allowFailure: true },
        ).then(
          // podman-compose 1.0 leaves the project's network behind.
          () => run(engine!.bin, ['network', 'rm', `${PROJECT}_default`], { allowFailure: true }),
        ),
      ).catch(() => undefined);
    }
    if (!keep) await rm(work, { recursive: true, force: true });
    printStages();
    if (failed) console.log('\nresult: FAILED');
    else console.log('\nresult: passed');
  }
}

/** Stops a stack left running by --keep. */
async function down(): Promise<number> {
  if (!existsSync(STATE_FILE)) {
    console.log('no stack left running by tools/images/smoke --keep');
    return 0;
  }
  const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as SmokeState;
  Object.assign(process.env, state.env);
  if (state.compose[0].endsWith('podman-compose')) await detectEngine(state.work);
  await run(state.compose[0], [...state.compose.slice(1), 'down', '-v'], { allowFailure: true });
  await rm(state.work, { recursive: true, force: true });
  await rm(STATE_FILE, { force: true });
  return 0;
}

process.exitCode = process.argv.includes('--down') ? await down() : await main();

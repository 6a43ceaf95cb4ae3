// A student keeps their identity and points over http:// and over https:// on a host name that
// is not localhost (browsers exempt http://localhost from the Secure-cookie rule, which is how a
// production server on plain HTTP once lost every student without any test noticing). The API
// runs in production mode behind the production NGINX config with the TLS server Compose adds,
// a self-signed certificate from the secrets tool, and Debian's Chromium resolving koodi.test to
// 127.0.0.1. Everything listens on 127.0.0.1 and stops when the test ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
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

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!serverUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set');

const HOST = 'koodi.test';
const API_MAIN = join(repoRoot, 'apps/api/dist/main.js');
const WEB_ROOT = join(repoRoot, 'apps/web/dist');
// A logical database no stack uses, so its assignment cache holds only this test's course.
const REDIS_DATABASE = 9;
const BALANCER = '127.0.0.2';

interface Me {
  userId: string;
  points: number;
}

describe('identity over http:// and https:// in production, in Chromium (case 28)', () => {
  let work = '';
  let scratch: ScratchDatabase;
  let redis: Redis;
  let queue = '';
  let assignmentId = '';
  let httpPort = 0;
  let httpsPort = 0;
  let apiLog = '';
  let browser: Browser | undefined;
  const children: ChildProcess[] = [];

  before(async () => {
    for (const built of [API_MAIN, WEB_ROOT]) {
      if (!existsSync(built))
        throw new Error(`${built} is missing: build first (npx nx run-many -t build)`);
    }
    work = await mkdtemp(join(tmpdir(), 'koodi-identity-tls-'));
    // Run as root, NGINX workers drop to `nobody`: they must reach their temporary folders and the
    // site, which they cannot inside a checkout only its owner may enter. A copy they can reach.
    await chmod(work, 0o755);
    const webRoot = join(work, 'web');
    await cp(WEB_ROOT, webRoot, { recursive: true });

    scratch = await scratchDatabase(serverUrl, 'koodi_identity_tls');
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, version)
       VALUES ('tls-hello', 1, 'Hello', 'Write hello().', 'def hello():\n    pass\n', 'solution', 'import unittest\n', 'v1')
       RETURNING id`,
    );
    await db.end();
    assignmentId = rows[0].id;

    const url = new URL(redisUrl);
    url.pathname = `/${REDIS_DATABASE}`;
    redis = new Redis(url.toString());
    await purgeAssignmentCache(redis);
    queue = `grading:identity-tls:${randomUUID().slice(0, 8)}`;

    const apiPort = await freePort();
    apiLog = join(work, 'api.log');
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
        LOG_LEVEL: 'info',
      },
    });
    children.push(api);
    await waitFor('API', () => ok(`http://127.0.0.1:${apiPort}/api/health`), 60_000, api);

    const { cert, key } = await certificateFromSecretsTool(join(work, 'secrets'), [HOST]);
    httpPort = await freePort();
    httpsPort = await freePort();
    const config = await renderLocalProdNginxConfig({
      dir: join(work, 'nginx'),
      listenPort: httpPort,
      apiAddresses: [`127.0.0.1:${apiPort}`],
      webRoot,
      tls: { port: httpsPort, cert, key },
      // 127.0.0.2 plays a load balancer in front that ends TLS; the browser comes from 127.0.0.1.
      balancers: `${BALANCER} 1;\n`,
    });
    await chmod(join(work, 'nginx'), 0o755);
    const nginxBin = findProgram('nginx');
    if (!nginxBin) throw new Error('nginx is not installed (Debian: apt-get install nginx)');
    const nginx = startLogged(
      nginxBin,
      [
        '-p',
        join(work, 'nginx'),
        '-e',
        join(work, 'nginx', 'error.log'),
        '-c',
        config,
        '-g',
        'daemon off;',
      ],
      join(work, 'nginx.log'),
    );
    children.push(nginx);
    await waitFor('NGINX', () => ok(`http://127.0.0.1:${httpPort}/`), 15_000, nginx);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
      ],
      timeout: 60_000,
    });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
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
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** What the page's own origin says about the student, as the web app asks it. */
  const me = (page: Page) =>
    page.evaluate(async () => {
      const response = await fetch('/api/me', { headers: { accept: 'application/json' } });
      return (await response.json()) as { userId: string; points: number };
    }) as Promise<Me>;

  /** The grader's part, done in the database: the student's submission passed. */
  async function passFor(userId: string): Promise<void> {
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO submissions (assignment_id, assignment_version, user_id, code, code_sha256, status, verdict, graded_at)
         VALUES ($1, 'v1', $2, 'def hello(): return "Hello"', repeat('a', 64), 'passed', 'passed', now())`,
        [assignmentId, userId],
      );
    } finally {
      await db.end();
    }
  }

  for (const scheme of ['http', 'https'] as const) {
    it(`keeps the student and their points across requests and reloads over ${scheme}://${HOST}`, async () => {
      const origin = `${scheme}://${HOST}:${scheme === 'http' ? httpPort : httpsPort}`;
      // A context of its own: no cookie, and no HSTS remembered from the other scheme.
      const context = await browser!.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        const home = await page.goto(`${origin}/`);
        assert.equal(home?.status(), 200);
        const points = page.getByTestId('points');
        await points.filter({ hasText: /^0$/ }).waitFor({ timeout: 15_000 });
        const first = await me(page);
        // Without the cookie the browser kept, each request would be a new student.
        assert.equal((await me(page)).userId, first.userId, 'the same student on the next request');

        const cookies = await context.cookies(origin);
        const secure = scheme === 'https';
        assert.deepEqual(
          cookies.map((cookie) => [cookie.name, cookie.secure, cookie.httpOnly]),
          [[secure ? '__Host-koodi_id' : 'koodi_id', secure, true]],
          'the browser kept exactly one identity cookie, Secure only over HTTPS',
        );
        const hsts = home?.headers()['strict-transport-security'];
        if (secure) assert.match(hsts ?? '', /max-age=\d+/);
        else assert.equal(hsts, undefined, 'no HSTS over plain HTTP');

        // A write through NGINX is the same student too.
        const posted = await page.evaluate(async (id) => {
          const response = await fetch(`/api/assignments/${id}/submissions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code: `print(${Date.now()})\n` }),
          });
          return response.status;
        }, assignmentId);
        assert.equal(posted, 202);
        const mine = await page.evaluate(async (id) => {
          const response = await fetch(`/api/assignments/${id}/submissions`);
          return ((await response.json()) as unknown[]).length;
        }, assignmentId);
        assert.equal(mine, 1, 'the submission is listed as the student’s own');

        await passFor(first.userId);
        await page.reload();
        await points.filter({ hasText: /^100$/ }).waitFor({ timeout: 15_000 });
        const again = await me(page);
        assert.equal(again.userId, first.userId);
        assert.equal(again.points, 100);
      } finally {
        await context.close();
      }
    });
  }

  for (const [who, from, secure] of [
    ['a client’s own', '127.0.0.1', false],
    ['the listed balancer’s', BALANCER, true],
  ] as const) {
    it(`over plain HTTP, ${who} X-Forwarded-Proto: https ${secure ? 'makes' : 'does not make'} a Secure cookie and HSTS`, async () => {
      const answer = await getFrom(`http://127.0.0.1:${httpPort}/api/me`, from, {
        host: HOST,
        'x-forwarded-proto': 'https',
      });
      assert.equal(answer.status, 200);
      const cookie = (answer.headers['set-cookie'] ?? []).join('\n');
      if (secure) {
        assert.match(cookie, /^__Host-koodi_id=.*; Secure/);
        assert.match(String(answer.headers['strict-transport-security']), /max-age=\d+/);
      } else {
        assert.match(cookie, /^koodi_id=/);
        assert.doesNotMatch(cookie, /Secure/);
        assert.equal(answer.headers['strict-transport-security'], undefined);
      }
    });
  }

  it('warned in the API log that a student arrived over plain HTTP in production', async () => {
    const log = await readFile(apiLog, 'utf8');
    assert.match(log, /arrived over plain HTTP/);
    assert.equal(
      log.match(/arrived over plain HTTP/g)?.length,
      1,
      'once per process, not per request',
    );
  });
});

function getFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { localAddress, headers, agent: false, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

async function ok(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

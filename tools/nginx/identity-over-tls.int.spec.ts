// A student keeps their identity and points over http:// and over https:// on a host name that
// is not localhost (browsers exempt http://localhost from the Secure-cookie rule, which is how a
// production server on plain HTTP once lost every student without any test noticing). The API
// runs in production mode behind the production NGINX config with the TLS server Compose adds,
// a self-signed certificate from the secrets tool, and Debian's Chromium resolving koodi.test to
// 127.0.0.1. Everything listens on 127.0.0.1 and stops when the test ends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import pg from 'pg';
import { startProductionStack, type ProductionStack } from './production-stack.ts';
import { repoRoot } from './nginx-config.ts';

const HOST = 'koodi.test';
const WEB_ROOT = join(repoRoot, 'apps/web/dist');
// A logical database no stack uses, so its assignment cache holds only this test's course.
const REDIS_DATABASE = 9;
const BALANCER = '127.0.0.2';

interface Me {
  userId: string;
  points: number;
}

describe('identity over http:// and https:// in production, in Chromium (case 28)', () => {
  let stack: ProductionStack;
  let assignmentId = '';
  let httpPort = 0;
  let httpsPort = 0;
  let apiLog = '';
  let browser: Browser | undefined;

  before(async () => {
    if (!existsSync(WEB_ROOT))
      throw new Error(`${WEB_ROOT} is missing: build first (npx nx run-many -t build)`);
    stack = await startProductionStack({
      name: 'identity-tls',
      redisDatabase: REDIS_DATABASE,
      // A copy of the built site that NGINX's workers (`nobody`) can reach.
      prepareWebRoot: (webRoot) => cp(WEB_ROOT, webRoot, { recursive: true }),
      certificateHosts: [HOST],
      // 127.0.0.2 plays a load balancer in front that ends TLS; the browser comes from 127.0.0.1.
      balancers: `${BALANCER} 1;\n`,
      apiLogLevel: 'info',
    });
    ({ assignmentId, httpPort, httpsPort, apiLog } = stack);

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
    await stack?.stop();
  });

  /** What the page's own origin says about the student, as the web app asks it. */
  const me = (page: Page) =>
    page.evaluate(async () => {
      const response = await fetch('/api/me', { headers: { accept: 'application/json' } });
      return (await response.json()) as { userId: string; points: number };
    }) as Promise<Me>;

  /** The grader's part, done in the database: the student's submission passed. */
  async function passFor(userId: string): Promise<void> {
    const db = new pg.Client({ connectionString: stack.databaseUrl });
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

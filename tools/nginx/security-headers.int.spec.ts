// Each answer carries each security header exactly once, from one layer: through NGINX, NGINX's
// (the API's own are dropped); reached directly, the API's, with the same values. The API runs in
// production mode behind the production NGINX config with Compose's TLS server, on 127.0.0.1.
// Covers docs/SECURITY.md case 28 (headers) for every kind of answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { purgeAssignmentCache } from '@koodi/contracts';
import pg from 'pg';
import { startProductionStack, type ProductionStack } from './production-stack.ts';
import { repoRoot } from './nginx-config.ts';

// A logical database no stack or other spec uses, so its assignment cache is this test's.
const REDIS_DATABASE = 10;

const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const HSTS = 'max-age=63072000; includeSubDomains';

/** Every security header with its one value, whichever layer sends it. */
function expected(csp: string, https: boolean): Record<string, string | undefined> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'strict-transport-security': https ? HSTS : undefined,
  };
}

interface Answer {
  status: number;
  /** Every value each header name was sent with, in order: more than one is a duplicate. */
  values: Map<string, string[]>;
  setCookie: string[];
  body: string;
}

interface Ask {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Stop reading after the headers (an event stream stays open). */
  headersOnly?: boolean;
}

function ask(url: string, options: Ask = {}): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        timeout: 10_000,
        rejectUnauthorized: false,
      },
      (response) => {
        const values = new Map<string, string[]>();
        const raw = response.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i].toLowerCase();
          values.set(name, [...(values.get(name) ?? []), raw[i + 1]]);
        }
        const answer = (body: string): Answer => ({
          status: response.statusCode ?? 0,
          values,
          setCookie: response.headers['set-cookie'] ?? [],
          body,
        });
        if (options.headersOnly) {
          request.destroy();
          resolve(answer(''));
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(answer(Buffer.concat(chunks).toString('utf8'))));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${url} timed out`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

function assertHeaders(
  label: string,
  answer: Answer,
  want: Record<string, string | undefined>,
): void {
  for (const [name, value] of Object.entries(want)) {
    const sent = answer.values.get(name) ?? [];
    if (value === undefined) assert.deepEqual(sent, [], `${label}: ${name} must be absent`);
    else assert.deepEqual(sent, [value], `${label}: ${name} exactly once, with its one value`);
  }
}

describe('security headers: one layer per answer, each header once (case 28)', () => {
  let stack: ProductionStack;
  let assignmentId = '';
  let apiPort = 0;
  let httpPort = 0;
  let httpsPort = 0;

  before(async () => {
    stack = await startProductionStack({
      name: 'security-headers',
      redisDatabase: REDIS_DATABASE,
      prepareWebRoot: async (webRoot) => {
        await mkdir(join(webRoot, '_astro'), { recursive: true });
        await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>home</title>\n');
        await writeFile(join(webRoot, '404.html'), '<!doctype html><title>not found</title>\n');
        await writeFile(join(webRoot, '_astro', 'island.0123abcd.js'), 'export {};\n');
      },
    });
    ({ assignmentId, apiPort, httpPort, httpsPort } = stack);
  });

  after(() => stack?.stop());

  const origins = () =>
    [
      ['https', `https://127.0.0.1:${httpsPort}`],
      ['http', `http://127.0.0.1:${httpPort}`],
    ] as const;

  it('through NGINX: pages, assets and the 404 page carry the page headers once', async () => {
    for (const [scheme, origin] of origins()) {
      for (const [path, status] of [
        ['/', 200],
        ['/_astro/island.0123abcd.js', 200],
        ['/no/such/page', 404],
      ] as const) {
        const answer = await ask(origin + path);
        assert.equal(answer.status, status, `${scheme} ${path}`);
        assertHeaders(`${scheme} ${path}`, answer, expected(PAGE_CSP, scheme === 'https'));
      }
    }
  });

  it('through NGINX: API answers carry the API values once, and NGINX’s own /api errors too', async () => {
    for (const [scheme, origin] of origins()) {
      const https = scheme === 'https';
      for (const [path, status, csp] of [
        ['/api/assignments', 200, API_CSP],
        ['/api/nope', 404, API_CSP],
        ['/api/docs-json', 200, DOCS_CSP],
      ] as const) {
        const answer = await ask(origin + path);
        assert.equal(answer.status, status, `${scheme} ${path}`);
        assertHeaders(`${scheme} ${path}`, answer, expected(csp, https));
      }
      const tooLarge = await ask(`${origin}/api/assignments/${assignmentId}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'x'.repeat(300 * 1024) }),
      });
      assert.equal(tooLarge.status, 413, `${scheme}: NGINX refuses the body itself`);
      assertHeaders(`${scheme} 413`, tooLarge, expected(API_CSP, https));
    }
  });

  it('through NGINX: the cached list (a HIT) carries the API values once', async () => {
    for (const [scheme, origin] of origins()) {
      let answer = await ask(`${origin}/api/assignments`);
      for (let attempt = 0; answer.values.get('x-cache-status')?.[0] !== 'HIT'; attempt++) {
        assert.ok(attempt < 100, `${scheme}: NGINX never answered the list from its cache`);
        await new Promise((resolve) => setTimeout(resolve, 25));
        answer = await ask(`${origin}/api/assignments`);
      }
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.setCookie, []);
      assertHeaders(`${scheme} cached list`, answer, expected(API_CSP, scheme === 'https'));
    }
  });

  it('through NGINX: a content change shows in the cached list within its max-age', async () => {
    const origin = `http://127.0.0.1:${httpPort}`;
    const titles = async () => {
      const answer = await ask(`${origin}/api/assignments`);
      return {
        answer,
        titles: (JSON.parse(answer.body) as { title: string }[]).map((item) => item.title),
      };
    };
    const { answer: before } = await titles();
    const maxAge = Number(/max-age=(\d+)/.exec(before.values.get('cache-control')?.[0] ?? '')?.[1]);
    assert.ok(maxAge > 0 && maxAge <= 5, `a short max-age: ${maxAge}`);
    // What content sync does: the database changes, then the API's cache is purged.
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE assignments SET title = 'Hello again' WHERE id = $1`, [assignmentId]);
    } finally {
      await db.end();
    }
    await purgeAssignmentCache(stack.redis);
    const changedAt = Date.now();
    let seen = (await titles()).titles;
    while (!seen.includes('Hello again') && Date.now() - changedAt < (maxAge + 3) * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = (await titles()).titles;
    }
    const took = Date.now() - changedAt;
    assert.deepEqual(seen, ['Hello again']);
    // max-age (NGINX counts whole seconds: up to one more), plus one revalidation.
    assert.ok(took <= (maxAge + 1) * 1000 + 1000, `the change took ${took} ms to show`);
  });

  it('through NGINX and directly: a submission and its event stream carry the API values once', async () => {
    for (const [scheme, origin] of [
      ...origins(),
      ['direct', `http://127.0.0.1:${apiPort}`],
    ] as const) {
      const https = scheme === 'https';
      const me = await ask(`${origin}/api/me`);
      assertHeaders(`${scheme} /api/me`, me, expected(API_CSP, https));
      const cookie = me.setCookie[0].split(';')[0];
      const submitted = await ask(`${origin}/api/assignments/${assignmentId}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ code: `x = "${randomUUID()}"\n` }),
      });
      assert.equal(submitted.status, 202, `${scheme}: ${submitted.body}`);
      assertHeaders(`${scheme} POST`, submitted, expected(API_CSP, https));
      const { id } = JSON.parse(submitted.body) as { id: string };
      const stream = await ask(`${origin}/api/submissions/${id}/events`, {
        headers: { accept: 'text/event-stream', cookie },
        headersOnly: true,
      });
      assert.equal(stream.status, 200, `${scheme} events`);
      assert.match(stream.values.get('content-type')?.[0] ?? '', /^text\/event-stream/);
      assertHeaders(`${scheme} events`, stream, expected(API_CSP, https));
    }
  });

  it('directly: the API sends the same headers with the same values, HSTS only over HTTPS', async () => {
    const direct = `http://127.0.0.1:${apiPort}`;
    for (const [path, status, csp] of [
      ['/api/assignments', 200, API_CSP],
      ['/api/nope', 404, API_CSP],
      ['/api/docs-json', 200, DOCS_CSP],
    ] as const) {
      const plain = await ask(direct + path);
      assert.equal(plain.status, status, path);
      assertHeaders(`direct ${path}`, plain, expected(csp, false));
      // As NGINX (the trusted proxy, 127.0.0.1) forwards an HTTPS request.
      const viaHttps = await ask(direct + path, { headers: { 'x-forwarded-proto': 'https' } });
      assertHeaders(`direct https ${path}`, viaHttps, expected(csp, true));
    }
  });
});

describe('security headers in the local stack’s NGINX config', () => {
  it('sets and drops the same headers as production, with the same values', async () => {
    // The local stack runs infra/nginx/nginx.dev.conf; the answers above come from the
    // production file. The lines that make the one layer must be the same in both.
    const lines = (text: string) => {
      const csp = /map \$uri \$koodi_csp \{[^}]*\}/.exec(text)?.[0] ?? '';
      return [
        csp,
        ...text
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => /^(add_header|proxy_hide_header) /.test(line)),
      ];
    };
    const dev = lines(await readFile(join(repoRoot, 'infra/nginx/nginx.dev.conf'), 'utf8'));
    const prod = lines(await readFile(join(repoRoot, 'infra/nginx/nginx.prod.conf'), 'utf8'));
    assert.ok(dev[0].includes(API_CSP) && dev[0].includes(PAGE_CSP), 'dev maps the CSP by path');
    const strictTransport = 'add_header Strict-Transport-Security $koodi_hsts always;';
    assert.deepEqual(
      dev,
      prod.filter((line) => line !== strictTransport),
    );
    assert.ok(prod.includes(strictTransport));
    assert.ok(dev.includes('proxy_hide_header Strict-Transport-Security;'));
  });
});

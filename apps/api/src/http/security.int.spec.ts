import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { apiRoutes, type AssignmentDetail } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import { createAssignment, startTestApi, Student, type TestApi } from '../testing/api-harness';

const code = () => `x = "${randomUUID()}"\n`;

describe('protection (cases 26, 28, 30)', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi();
    assignment = await createAssignment(api, {
      handoutMd:
        '# Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))',
    });
  });
  after(() => api.close());

  for (const [label, headers] of [
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['Origin: null (a sandboxed frame)', { origin: 'null' }],
  ] as const) {
    it(`refuses a cross-site POST with ${label}: 403, nothing stored`, async () => {
      const student = new Student(api.url);
      await student.me();
      const { status, body } = await student.submit(assignment.id, { code: code() }, headers);
      assert.equal(status, 403);
      assert.equal((body as { error: { code: string } }).error.code, 'cross_site_request');
      assert.deepEqual((await student.json(apiRoutes.submissions(assignment.id))).body, []);
    });
  }

  it('accepts a same-origin POST from a browser', async () => {
    const host = new URL(api.url).host;
    const student = new Student(api.url);
    const viaFetchMetadata = await student.submit(
      assignment.id,
      { code: code() },
      { 'sec-fetch-site': 'same-origin', origin: api.url },
    );
    assert.equal(viaFetchMetadata.status, 202);
    const other = new Student(api.url);
    const viaOrigin = await other.submit(
      assignment.id,
      { code: code() },
      { origin: `http://${host}` },
    );
    assert.equal(viaOrigin.status, 202);
  });

  it('keeps CORS closed: no Access-Control-Allow-Origin, preflight not granted', async () => {
    const preflight = await fetch(api.url + apiRoutes.submissions(assignment.id), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.notEqual(preflight.status, 204);
    const get = await fetch(api.url + apiRoutes.assignments(), {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  it('sets nosniff, CSP with frame-ancestors, Referrer-Policy; no HSTS outside production', async () => {
    for (const path of [apiRoutes.assignments(), apiRoutes.me(), '/api/nope']) {
      const response = await fetch(api.url + path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.ok(response.headers.get('referrer-policy'));
      assert.equal(response.headers.get('strict-transport-security'), null);
    }
  });

  it('returns handout markdown as JSON data, never as a page (case 30)', async () => {
    const response = await fetch(api.url + apiRoutes.assignment(assignment.slug));
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const detail = (await response.json()) as AssignmentDetail;
    assert.equal(detail.handout, assignment.handoutMd, 'the text is data: the web app escapes it');
  });

  it('does not let one student’s burst limit another (case 26)', async () => {
    const noisy = new Student(api.url);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++)
      statuses.push((await noisy.submit(assignment.id, { code: code() })).status);
    assert.ok(statuses.includes(429));
    assert.equal((await new Student(api.url).submit(assignment.id, { code: code() })).status, 202);
  });
});

/** A GET from a chosen loopback address (127.0.0.0/8 is all ours), as a proxy or a client would send it. */
function getFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { localAddress, headers, agent: false, timeout: 10_000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

const setCookieOf = (headers: IncomingHttpHeaders) => (headers['set-cookie'] ?? []).join('\n');
const userIdOf = (body: string) => (JSON.parse(body) as { userId: string }).userId;

describe('production cookies and headers over HTTPS and plain HTTP (case 28)', () => {
  // NGINX is the trusted proxy at 127.0.0.1; 127.0.0.2 plays a client reaching the API directly.
  const PROXY = '127.0.0.1';
  const STRANGER = '127.0.0.2';
  let api: TestApi;
  let me: string;

  before(async () => {
    api = await startTestApi(
      {},
      {
        NODE_ENV: 'production',
        COOKIE_SECRET: 'a-production-secret-of-at-least-32-chars',
        TRUST_PROXY: PROXY,
      },
    );
    me = api.url + apiRoutes.me();
  });
  after(() => api.close());

  it('over HTTPS (X-Forwarded-Proto from the trusted proxy): a __Host- cookie, Secure, HttpOnly, SameSite=Lax, and HSTS', async () => {
    const response = await getFrom(me, PROXY, { 'x-forwarded-proto': 'https' });
    const cookie = setCookieOf(response.headers);
    assert.match(cookie, /^__Host-koodi_id=/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/);
    assert.match(String(response.headers['strict-transport-security']), /max-age=\d+/);
  });

  it('over plain HTTP: a plain cookie without Secure, no HSTS, and the student is kept', async () => {
    const first = await getFrom(me, PROXY, { 'x-forwarded-proto': 'http' });
    const cookie = setCookieOf(first.headers);
    assert.match(cookie, /^koodi_id=/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.equal(first.headers['strict-transport-security'], undefined);
    const again = await getFrom(me, PROXY, {
      'x-forwarded-proto': 'http',
      cookie: cookie.split(';')[0],
    });
    assert.equal(again.status, 200);
    assert.equal(userIdOf(again.body), userIdOf(first.body));
    assert.equal(again.headers['set-cookie'], undefined, 'no new identity');
  });

  it('a spoofed X-Forwarded-Proto: https from an untrusted address gets neither a Secure cookie nor HSTS', async () => {
    const response = await getFrom(me, STRANGER, { 'x-forwarded-proto': 'https' });
    assert.equal(response.status, 200);
    const cookie = setCookieOf(response.headers);
    assert.match(cookie, /^koodi_id=/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.equal(response.headers['strict-transport-security'], undefined);
  });

  it('an HTTPS request does not accept a plain cookie planted over HTTP', async () => {
    const plain = await getFrom(me, PROXY);
    const planted = setCookieOf(plain.headers).split(';')[0];
    const secure = await getFrom(me, PROXY, { 'x-forwarded-proto': 'https', cookie: planted });
    assert.notEqual(userIdOf(secure.body), userIdOf(plain.body));
    assert.match(setCookieOf(secure.headers), /^__Host-koodi_id=/);
  });
});

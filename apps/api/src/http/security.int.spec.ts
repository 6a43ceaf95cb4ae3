import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
      handoutMd: '# Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))',
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
    const viaFetchMetadata = await student.submit(assignment.id, { code: code() }, { 'sec-fetch-site': 'same-origin', origin: api.url });
    assert.equal(viaFetchMetadata.status, 202);
    const other = new Student(api.url);
    const viaOrigin = await other.submit(assignment.id, { code: code() }, { origin: `http://${host}` });
    assert.equal(viaOrigin.status, 202);
  });

  it('keeps CORS closed: no Access-Control-Allow-Origin, preflight not granted', async () => {
    const preflight = await fetch(api.url + apiRoutes.submissions(assignment.id), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.notEqual(preflight.status, 204);
    const get = await fetch(api.url + apiRoutes.assignments(), { headers: { origin: 'https://evil.example' } });
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
    for (let i = 0; i < 15; i++) statuses.push((await noisy.submit(assignment.id, { code: code() })).status);
    assert.ok(statuses.includes(429));
    assert.equal((await new Student(api.url).submit(assignment.id, { code: code() })).status, 202);
  });
});

describe('production cookies and headers (case 28)', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi({}, { NODE_ENV: 'production', COOKIE_SECRET: 'a-production-secret-of-at-least-32-chars' });
  });
  after(() => api.close());

  it('sets a __Host- cookie that is Secure, HttpOnly and SameSite=Lax, and HSTS', async () => {
    const response = await fetch(api.url + apiRoutes.me());
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^__Host-koodi_id=/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/);
    assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiRoutes,
  ASSIGNMENT_CACHE_KEY,
  purgeAssignmentCache,
  type AssignmentDetail,
  type AssignmentSummary,
} from '@koodi/contracts';
import {
  createAssignment,
  eventually,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';

describe('assignments, /api/me and /api/health over HTTP', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi();
  });
  after(() => api.close());

  it('reports Postgres and Redis up', async () => {
    const { status, body } = await new Student(api.url).json(apiRoutes.health());
    assert.equal(status, 200);
    assert.deepEqual(body, { status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });

  it('creates an anonymous identity on the first /api/me and keeps it', async () => {
    const student = new Student(api.url);
    const first = await student.request(apiRoutes.me());
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^koodi_id=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.equal(first.headers.get('cache-control'), 'private, no-store');
    const { userId } = (await first.json()) as { userId: string };
    const again = await student.request(apiRoutes.me());
    assert.equal(again.headers.get('set-cookie'), null);
    assert.equal(((await again.json()) as { userId: string }).userId, userId);
  });

  it('refuses a forged identity cookie and issues a new one', async () => {
    const student = new Student(api.url);
    const { userId } = await student.me();
    const forged = await fetch(api.url + apiRoutes.me(), {
      headers: { cookie: `koodi_id=${userId}.forgedsignature` },
    });
    const body = (await forged.json()) as { userId: string };
    assert.notEqual(body.userId, userId);
  });

  it('counts 100 points per distinct solved assignment and names the next unsolved', async () => {
    const first = await createAssignment(api, { position: 1 });
    const student = new Student(api.url);
    await student.me();
    for (const code of [
      'def hello():\n    return "Hello"\n',
      'def hello():\n    return "Hel" + "lo"\n',
    ]) {
      const { body } = await student.submit(first.id, { code });
      await simulateVerdict(api, (body as { id: string }).id, 'passed');
    }
    const me = await student.me();
    assert.equal(me.points, 100);
    assert.deepEqual(me.solved, [first.id]);
    assert.notEqual(me.next, first.id);
  });

  it('lists assignments without hidden tests, public with an ETag, and answers 304', async () => {
    const assignment = await createAssignment(api);
    await purgeAssignmentCache(api.redis);
    const response = await fetch(api.url + apiRoutes.assignments());
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(response.headers.get('cache-control') ?? '', /^public, max-age=\d+/);
    const etag = response.headers.get('etag');
    assert.ok(etag);
    const text = await response.text();
    assert.doesNotMatch(text, /HIDDEN TESTS/);
    const list = JSON.parse(text) as AssignmentSummary[];
    const mine = list.find((item) => item.id === assignment.id);
    assert.deepEqual(Object.keys(mine!).sort(), ['id', 'position', 'slug', 'title']);
    const positions = list.map((item) => item.position);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const revalidated = await fetch(api.url + apiRoutes.assignments(), {
        headers: { 'if-none-match': ifNoneMatch },
      });
      assert.equal(revalidated.status, 304, ifNoneMatch);
      assert.equal(revalidated.headers.get('etag'), etag);
      assert.equal(await revalidated.text(), '');
    }
    const changed = await fetch(api.url + apiRoutes.assignments(), {
      headers: { 'if-none-match': '"not-this-one"' },
    });
    assert.equal(changed.status, 200);
    assert.equal(await changed.text(), text);
  });

  it('answers the list the same with and without a cookie, solved or not, and sets none', async () => {
    const assignment = await createAssignment(api);
    await purgeAssignmentCache(api.redis);
    const student = new Student(api.url);
    const { body } = await student.submit(assignment.id, {
      code: 'def hello():\n    return "Hello"\n',
    });
    await simulateVerdict(api, (body as { id: string }).id, 'passed');
    // The solved state is the student's own, and comes with /api/me ...
    const me = await eventually(async () => {
      const progress = await student.me();
      return progress.solved.includes(assignment.id) ? progress : undefined;
    });
    assert.ok(me);
    // ... never with the list, which is one answer for everyone (NGINX caches it).
    const anonymous = await fetch(api.url + apiRoutes.assignments());
    const withCookie = await student.request(apiRoutes.assignments());
    const forged = await fetch(api.url + apiRoutes.assignments(), {
      headers: { cookie: `koodi_id=${me.userId}.forgedsignature` },
    });
    const texts = [await anonymous.text(), await withCookie.text(), await forged.text()];
    assert.ok(texts.every((text) => text === texts[0]));
    assert.ok((JSON.parse(texts[0]) as AssignmentSummary[]).some((a) => a.id === assignment.id));
    for (const response of [anonymous, withCookie, forged]) {
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('set-cookie'), null);
      assert.equal(response.headers.get('vary'), null);
      assert.match(response.headers.get('cache-control') ?? '', /^public/);
      assert.equal(response.headers.get('etag'), anonymous.headers.get('etag'));
    }
  });

  it('serves one assignment by slug or id, never its hidden tests', async () => {
    const assignment = await createAssignment(api);
    for (const key of [assignment.slug, assignment.id]) {
      const response = await fetch(api.url + apiRoutes.assignment(key));
      assert.equal(response.status, 200);
      assert.ok(response.headers.get('etag'));
      const text = await response.text();
      assert.doesNotMatch(text, /HIDDEN TESTS/);
      const detail = JSON.parse(text) as AssignmentDetail;
      assert.equal(detail.id, assignment.id);
      assert.equal(detail.handout, assignment.handoutMd);
      assert.equal(detail.starterCode, assignment.starterCode);
      assert.equal(detail.sampleTests, assignment.sampleTestCode);
      assert.equal(detail.limits.cpuSeconds > 0, true);
      assert.equal('testCode' in detail, false);
    }
  });

  for (const key of [
    'no-such-assignment',
    '00000000-0000-4000-8000-000000000000',
    'Bad Slug!',
    'x'.repeat(99),
  ]) {
    it(`answers 404 in the error shape for the unknown assignment ${key.slice(0, 40)}`, async () => {
      const response = await fetch(api.url + apiRoutes.assignment(key));
      assert.equal(response.status, 404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'not_found');
      assert.equal(typeof body.error.message, 'string');
    });
  }

  it('answers 404 in the error shape for an unknown endpoint', async () => {
    const response = await fetch(api.url + '/api/nope');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('serves fresh content after the cache is purged (content sync)', async () => {
    const assignment = await createAssignment(api, { title: 'Before sync' });
    const read = async () =>
      (
        (await (
          await fetch(api.url + apiRoutes.assignment(assignment.slug))
        ).json()) as AssignmentDetail
      ).title;
    assert.equal(await read(), 'Before sync');
    await api.assignments.upsertBySlug({
      slug: assignment.slug,
      position: assignment.position,
      title: 'After sync',
      handoutMd: assignment.handoutMd,
      starterCode: assignment.starterCode,
      moduleName: assignment.moduleName,
      testCode: 'tests',
      sampleTestCode: '',
      limits: {},
      version: `${assignment.version}-2`,
    });
    assert.equal(await read(), 'Before sync', 'still cached before the purge');
    await purgeAssignmentCache(api.redis);
    assert.equal(
      await eventually(async () => ((await read()) === 'After sync' ? true : undefined)),
      true,
    );
    assert.equal(
      await api.redis.exists(ASSIGNMENT_CACHE_KEY),
      1,
      'the fresh answer is cached again',
    );
  });

  it('serves an OpenAPI document at /api/docs', async () => {
    const page = await fetch(api.url + '/api/docs');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger/i);
    const document = (await (await fetch(api.url + '/api/docs-json')).json()) as {
      paths: Record<string, unknown>;
    };
    assert.ok(document.paths['/api/assignments/{idOrSlug}/submissions']);
    assert.ok(document.paths['/api/submissions/{id}/events']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoutes } from '@koodi/contracts';
import type { SubmissionView } from '@koodi/contracts';
import { createApiClient } from './api-client.ts';
import type { FetchLike } from './api-client.ts';
import { ApiError } from './api-error.ts';

interface Call {
  input: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>): {
  fetch: FetchLike;
  calls: Call[];
} {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (input, init) => {
      const call = { input, init };
      calls.push(call);
      return respond(call);
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const queued: SubmissionView = {
  id: 's-1',
  assignmentId: 'a-1',
  status: 'queued',
  verdict: null,
  summary: null,
  tests: [],
  output: '',
  outputTruncated: false,
  location: null,
  queuePosition: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  gradedAt: null,
  gradingMs: null,
  title: 'Waiting to be graded',
  detail: 'Your submission is number 2 in the queue.',
  timing: null,
};

describe(createApiClient.name, () => {
  it('posts the code as JSON to the assignment’s submissions route', async () => {
    const fake = fakeFetch(() => json(202, queued));
    const sut = createApiClient(fake.fetch);

    const result = await sut.submit('a-1', 'print(1)\n');

    assert.equal(fake.calls[0]?.input, apiRoutes.submissions('a-1'));
    assert.equal(fake.calls[0]?.init?.method, 'POST');
    assert.deepEqual(JSON.parse(String(fake.calls[0]?.init?.body)), { code: 'print(1)\n' });
    assert.deepEqual(result, { view: queued, deduplicated: false });
  });

  it('reports a 200 answer as a deduplicated submission', async () => {
    const sut = createApiClient(fakeFetch(() => json(200, { ...queued, status: 'passed' })).fetch);

    const result = await sut.submit('a-1', 'x');

    assert.equal(result.deduplicated, true);
    assert.equal(result.view.status, 'passed');
  });

  it('turns an error body into an ApiError with its code, details and Retry-After', async () => {
    const sut = createApiClient(
      fakeFetch(() =>
        json(
          429,
          { error: { code: 'rate_limited', message: 'Slow down', details: { limit: 5 } } },
          { 'retry-after': '7' },
        ),
      ).fetch,
    );

    const error = await sut.submit('a-1', 'x').catch((e: unknown) => e);

    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.message, 'Slow down');
    assert.equal(error.retryAfterSeconds, 7);
    assert.deepEqual(error.details, { limit: 5 });
  });

  it('copes with an error that has no JSON body, such as a proxy’s 413 page', async () => {
    const sut = createApiClient(
      fakeFetch(() => new Response('<html>Too large</html>', { status: 413 })).fetch,
    );

    const error = await sut.submit('a-1', 'x').catch((e: unknown) => e);

    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 413);
    assert.equal(error.code, 'http_413');
  });

  it('reports a failed connection as a network error with status 0', async () => {
    const sut = createApiClient(() => Promise.reject(new TypeError('Failed to fetch')));

    const error = await sut.me().catch((e: unknown) => e);

    assert.ok(error instanceof ApiError);
    assert.equal(error.isNetwork, true);
  });

  it('encodes ids and slugs into the paths it calls', async () => {
    const fake = fakeFetch(() => json(200, {}));
    const sut = createApiClient(fake.fetch);

    await sut.assignment('a b/c');
    await sut.submission('s/1');

    assert.deepEqual(
      fake.calls.map((c) => c.input),
      ['/api/assignments/a%20b%2Fc', '/api/submissions/s%2F1'],
    );
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoutes, MAX_CODE_BYTES } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import { createAssignment, startTestApi, Student, type TestApi } from '../testing/api-harness';

type ErrorBody = { error: { code: string; message: string } };

/**
 * docs/SECURITY.md cases 16 and 29: every malformed submission gets a 400 or 413 with a clear message, and
 * nothing is stored half-way: the student's history stays empty and nothing is queued.
 */
describe('submission validation (cases 16, 29)', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi();
    assignment = await createAssignment(api);
  });
  after(() => api.close());

  async function expectRefused(
    body: NonNullable<RequestInit['body']>,
    expected: { status: number; code: string; message: RegExp },
    contentType = 'application/json',
  ): Promise<void> {
    const student = new Student(api.url);
    await student.me();
    const response = await student.request(apiRoutes.submissions(assignment.id), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    assert.equal(response.status, expected.status);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const error = ((await response.json()) as ErrorBody).error;
    assert.equal(error.code, expected.code);
    assert.match(error.message, expected.message);
    const history = await student.json<unknown[]>(apiRoutes.submissions(assignment.id));
    assert.deepEqual(history.body, [], 'nothing stored');
    assert.equal(await api.redis.llen(api.config.gradingQueue), 0, 'nothing queued');
  }

  const invalid = { status: 400, code: 'invalid_submission' };
  const cases: Array<
    [string, NonNullable<RequestInit['body']>, { status: number; code: string; message: RegExp }]
  > = [
    ['a missing code field', '{}', { ...invalid, message: /code is required/i }],
    ['code as a number', '{"code": 42}', { ...invalid, message: /must be a string/ }],
    ['code as null', '{"code": null}', { ...invalid, message: /must be a string/ }],
    ['code as an array', '{"code": ["print(1)"]}', { ...invalid, message: /must be a string/ }],
    ['code as an object', '{"code": {"text": "x"}}', { ...invalid, message: /must be a string/ }],
    ['empty code', '{"code": ""}', { ...invalid, message: /must not be empty/ }],
    ['a NUL byte in the code', '{"code": "x = 1\\u0000"}', { ...invalid, message: /NUL/ }],
    [
      'a lone surrogate in the code',
      '{"code": "x = \\"\\ud800\\""}',
      { ...invalid, message: /UTF-8/ },
    ],
    [
      'a JSON array body',
      '["print(1)"]',
      { status: 400, code: 'invalid_body', message: /JSON object/ },
    ],
    [
      'a JSON string body',
      '"print(1)"',
      { status: 400, code: 'invalid_body', message: /JSON object/ },
    ],
    ['a JSON null body', 'null', { status: 400, code: 'invalid_body', message: /JSON object/ }],
    [
      'malformed JSON',
      '{"code": "x = 1"',
      { status: 400, code: 'invalid_json', message: /not valid JSON/ },
    ],
    [
      'invalid UTF-8 bytes sent raw',
      new Uint8Array([...Buffer.from('{"code": "x = '), 0xff, 0xfe, 0xc3, ...Buffer.from('"}')]),
      { status: 400, code: 'invalid_utf8', message: /UTF-8/ },
    ],
    [
      'an overlong UTF-8 encoding sent raw',
      new Uint8Array([...Buffer.from('{"code": "'), 0xc0, 0xaf, ...Buffer.from('"}')]),
      { status: 400, code: 'invalid_utf8', message: /UTF-8/ },
    ],
    [
      'code one byte over 64 KB',
      JSON.stringify({ code: 'x'.repeat(MAX_CODE_BYTES + 1) }),
      { status: 413, code: 'code_too_large', message: /64 KB/ },
    ],
    [
      'code over 64 KB counted in UTF-8 bytes, not characters',
      JSON.stringify({ code: 'ä'.repeat(MAX_CODE_BYTES / 2 + 1) }),
      { status: 413, code: 'code_too_large', message: /64 KB/ },
    ],
    [
      'a body over the request limit',
      JSON.stringify({ code: 'x'.repeat(300 * 1024) }),
      { status: 413, code: 'payload_too_large', message: /too large/ },
    ],
  ];
  for (const [label, body, expected] of cases) {
    it(`refuses ${label}: ${expected.status} ${expected.code}`, () =>
      expectRefused(body, expected));
  }

  it('refuses a body that is not JSON: 415', () =>
    expectRefused(
      'code=print(1)',
      { status: 415, code: 'unsupported_media_type', message: /application\/json/ },
      'text/plain',
    ));

  it('refuses an empty JSON body: 400', () =>
    expectRefused('', { status: 400, code: 'invalid_json', message: /empty/ }));

  it('refuses a malformed Idempotency-Key: 400', async () => {
    const student = new Student(api.url);
    const { status, body } = await student.submit(
      assignment.id,
      { code: 'x = 1' },
      { 'idempotency-key': 'with space' },
    );
    assert.equal(status, 400);
    assert.equal((body as ErrorBody).error.code, 'invalid_idempotency_key');
  });

  it('accepts code of exactly 64 KB, unicode included', async () => {
    const code = `# ${'ä'.repeat((MAX_CODE_BYTES - 4) / 2)}\n`;
    assert.equal(Buffer.byteLength(code), MAX_CODE_BYTES - 1);
    const { status } = await new Student(api.url).submit(assignment.id, { code: code + 'x' });
    assert.equal(status, 202);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api-error.ts';
import { describeLoadError, describeSubmitError } from './error-messages.ts';

const apiError = (status: number, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ status, code: `http_${status}`, message: 'server says no', ...extra });

describe(describeSubmitError.name, () => {
  const sut = describeSubmitError;

  it('explains one submission in flight and names it so the page can follow it', () => {
    const text = sut(
      apiError(409, { code: 'submission_in_flight', details: { submissionId: 's-9' } }),
    );
    assert.match(text.message, /already have a submission being graded/);
    assert.equal(text.inFlightSubmissionId, 's-9');
  });

  it('says when to retry after a rate limit', () => {
    const text = sut(apiError(429, { retryAfterSeconds: 42 }));
    assert.match(text.message, /submit again in 42 seconds/);
    assert.equal(text.retryAfterSeconds, 42);
  });

  it('still gives a wait when the rate limit comes without Retry-After', () => {
    assert.ok((sut(apiError(429)).retryAfterSeconds ?? 0) > 0);
  });

  it('explains too large code', () => {
    assert.match(sut(apiError(413)).message, /too large/);
  });

  it('explains a lost connection and reassures that the code is kept', () => {
    assert.match(sut(apiError(0)).message, /connection.*saved/s);
  });

  it('passes the reason of a rejected request through', () => {
    assert.match(
      sut(apiError(400, { message: 'code must not be empty' })).message,
      /code must not be empty/,
    );
  });

  it('blames the server, not the student, for a 5xx', () => {
    assert.match(sut(apiError(503)).message, /our side/);
  });

  it('does not leak unexpected exceptions', () => {
    assert.match(sut(new Error('x is undefined')).message, /unexpected/);
  });
});

describe(describeLoadError.name, () => {
  it('names what could not be loaded', () => {
    assert.match(
      describeLoadError(apiError(404), 'this assignment'),
      /Could not find this assignment/,
    );
    assert.match(describeLoadError(apiError(0), 'your assignments'), /check your connection/);
  });
});

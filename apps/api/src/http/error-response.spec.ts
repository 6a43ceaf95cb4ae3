import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundException } from '@nestjs/common';
import { ApiError } from './api-error';
import { toErrorResponse } from './error-response';

describe(toErrorResponse.name, () => {
  const sut = toErrorResponse;

  it('keeps an ApiError’s status, code, message, details and headers', () => {
    const response = sut(
      new ApiError(409, 'submission_in_flight', 'Wait.', { submissionId: 'a' }, { x: 'y' }),
    );
    assert.deepEqual(response, {
      status: 409,
      body: {
        error: { code: 'submission_in_flight', message: 'Wait.', details: { submissionId: 'a' } },
      },
      headers: { x: 'y' },
    });
  });

  it('names Fastify’s body errors in words a client can act on', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    assert.deepEqual(sut(tooLarge).body.error.code, 'payload_too_large');
    assert.equal(sut(new NotFoundException()).body.error.code, 'not_found');
  });

  it('never leaks the text of an unexpected error', () => {
    const response = sut(new Error('password=hunter2 at db.internal'));
    assert.equal(response.status, 500);
    assert.doesNotMatch(JSON.stringify(response.body), /hunter2/);
  });
});

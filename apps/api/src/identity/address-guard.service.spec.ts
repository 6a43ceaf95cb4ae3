import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';
import { AddressGuard } from './address-guard.service';

describe(AddressGuard.name, () => {
  it('lets a classroom behind one address through up to the limit, then answers 429 with Retry-After', () => {
    const sut = new AddressGuard({ rateLimitIpPerMinute: 300 } as ApiConfig);
    const now = 16_666_667 * 60_000 + 20_000;
    for (let i = 0; i < 300; i++) sut.check('10.0.0.1', now);
    assert.throws(
      () => sut.check('10.0.0.1', now),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 429 &&
        error.headers?.['retry-after'] === '40',
    );
    sut.check('10.0.0.2', now);
    sut.check('10.0.0.1', now + 60_000);
  });

  it('is off at 0', () => {
    const sut = new AddressGuard({ rateLimitIpPerMinute: 0 } as ApiConfig);
    for (let i = 0; i < 10_000; i++) sut.check('10.0.0.1');
  });
});

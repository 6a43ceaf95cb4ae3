import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { isCrossSite } from './http-hooks';

const request = (headers: Record<string, string>, host = 'koodi.example') =>
  ({ headers, host }) as unknown as FastifyRequest;

describe(isCrossSite.name, () => {
  const sut = isCrossSite;

  it('lets through clients that say nothing (curl, scripts)', () => {
    assert.equal(sut(request({})), false);
  });

  it('trusts the browser’s Sec-Fetch-Site', () => {
    assert.equal(
      sut(request({ 'sec-fetch-site': 'same-origin', origin: 'https://koodi.example' })),
      false,
    );
    assert.equal(sut(request({ 'sec-fetch-site': 'none' })), false);
    assert.equal(sut(request({ 'sec-fetch-site': 'cross-site' })), true);
    assert.equal(sut(request({ 'sec-fetch-site': 'same-site' })), true);
  });

  it('compares Origin with the host the request was sent to', () => {
    assert.equal(sut(request({ origin: 'https://koodi.example' })), false);
    assert.equal(sut(request({ origin: 'https://evil.example' })), true);
    assert.equal(sut(request({ origin: 'https://koodi.example.evil.example' })), true);
    assert.equal(sut(request({ origin: 'null' })), true);
    assert.equal(sut(request({ origin: 'not a url' })), true);
  });

  it('compares ports only when the Host carries one', () => {
    assert.equal(sut(request({ origin: 'http://localhost:8080' }, 'localhost')), false);
    assert.equal(sut(request({ origin: 'http://localhost:8080' }, 'localhost:8080')), false);
    assert.equal(sut(request({ origin: 'http://localhost:9999' }, 'localhost:8080')), true);
  });
});

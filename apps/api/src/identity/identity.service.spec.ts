import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { UserRepository } from '@koodi/db';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiConfig } from '../config/api.config';
import type { AddressGuard } from './address-guard.service';
import { IdentityService, PLAIN_COOKIE, SECURE_COOKIE } from './identity.service';

const SECRET = 'a-unit-test-secret-of-at-least-32-chars';
const PROXY = '10.9.8.7';

/** A real Fastify with the API's cookie plugin and proxy trust; only the user table is faked. */
async function serverWith(config: Partial<ApiConfig>): Promise<FastifyInstance> {
  const fastify = Fastify({ trustProxy: config.trustProxy ?? false });
  await fastify.register(fastifyCookie, { secret: SECRET });
  const users = {
    create: async () => ({ id: randomUUID() }),
    exists: async () => true,
  } as unknown as UserRepository;
  const guard = { check: () => undefined } as unknown as AddressGuard;
  const sut = new IdentityService(
    { production: true, trustProxy: PROXY, ...config } as ApiConfig,
    users,
    guard,
  );
  fastify.get('/me', async (request, reply) => ({ id: await sut.ensure(request, reply) }));
  return fastify;
}

describe(IdentityService.name, () => {
  let server: FastifyInstance;

  before(async () => {
    server = await serverWith({ trustProxy: PROXY });
  });
  after(() => server.close());

  const me = (remoteAddress: string, headers: Record<string, string> = {}) =>
    server.inject({ method: 'GET', url: '/me', remoteAddress, headers });

  it('sets a Secure __Host- cookie when the trusted proxy says the request came over HTTPS', async () => {
    const reply = await me(PROXY, { 'x-forwarded-proto': 'https' });
    const cookie = String(reply.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^${SECURE_COOKIE}=`));
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/);
  });

  it('sets a plain, non-Secure cookie over plain HTTP, so a browser on http:// keeps it', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'http' }] as Record<string, string>[]) {
      const cookie = String((await me(PROXY, headers)).headers['set-cookie']);
      assert.match(cookie, new RegExp(`^${PLAIN_COOKIE}=`));
      assert.doesNotMatch(cookie, /Secure/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
    }
  });

  it('ignores X-Forwarded-Proto from an address TRUST_PROXY does not name', async () => {
    const cookie = String(
      (await me('192.0.2.50', { 'x-forwarded-proto': 'https' })).headers['set-cookie'],
    );
    assert.match(cookie, new RegExp(`^${PLAIN_COOKIE}=`));
    assert.doesNotMatch(cookie, /Secure/);
  });

  it('keeps the student over each scheme by reading that scheme’s own cookie', async () => {
    const first = await me(PROXY, { 'x-forwarded-proto': 'https' });
    const id = (first.json() as { id: string }).id;
    const pair = String(first.headers['set-cookie']).split(';')[0];
    const again = await me(PROXY, { 'x-forwarded-proto': 'https', cookie: pair });
    assert.equal((again.json() as { id: string }).id, id);
    assert.equal(again.headers['set-cookie'], undefined);

    const plain = await me(PROXY);
    const plainId = (plain.json() as { id: string }).id;
    const plainPair = String(plain.headers['set-cookie']).split(';')[0];
    assert.equal(((await me(PROXY, { cookie: plainPair })).json() as { id: string }).id, plainId);
  });

  it('never reads the plain cookie over HTTPS, nor the __Host- one over HTTP', async () => {
    const plain = await me(PROXY);
    const plainValue = String(plain.headers['set-cookie'])
      .split(';')[0]
      .split('=')
      .slice(1)
      .join('=');
    const planted = await me(PROXY, {
      'x-forwarded-proto': 'https',
      cookie: `${PLAIN_COOKIE}=${plainValue}`,
    });
    assert.notEqual((planted.json() as { id: string }).id, (plain.json() as { id: string }).id);

    const secure = await me(PROXY, { 'x-forwarded-proto': 'https' });
    const secureValue = String(secure.headers['set-cookie'])
      .split(';')[0]
      .split('=')
      .slice(1)
      .join('=');
    const downgraded = await me(PROXY, { cookie: `${SECURE_COOKIE}=${secureValue}` });
    assert.notEqual((downgraded.json() as { id: string }).id, (secure.json() as { id: string }).id);
  });

  it('refuses a cookie whose signature does not match', async () => {
    const id = randomUUID();
    const reply = await me(PROXY, { cookie: `${PLAIN_COOKIE}=${id}.forged` });
    assert.notEqual((reply.json() as { id: string }).id, id);
  });
});

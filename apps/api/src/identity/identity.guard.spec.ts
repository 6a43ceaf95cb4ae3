import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRepository } from '@koodi/db';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';
import { AddressGuard } from './address-guard.service';
import { CreatesIdentity } from './identity.decorators';
import { IdentityGuard, identityOf, PLAIN_COOKIE, SECURE_COOKIE } from './identity.guard';

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
  const sut = new IdentityGuard(
    { production: true, trustProxy: PROXY, ...config } as ApiConfig,
    users,
    guard,
    new Reflector(),
  );
  fastify.get('/me', async (request, reply) => ({
    id: await sut.identify(request, reply).ensure(),
  }));
  return fastify;
}

describe(IdentityGuard.name, () => {
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

/** The guard as Nest runs it, before a handler, on a real Fastify with the cookie plugin. */
describe(`${IdentityGuard.name} before a handler`, () => {
  class Routes {
    @CreatesIdentity()
    me() {}
    list() {}
  }
  const known = new Set<string>();
  let created = 0;
  let server: FastifyInstance;

  before(async () => {
    server = Fastify();
    await server.register(fastifyCookie, { secret: SECRET });
    const users = {
      create: async () => {
        created++;
        const id = randomUUID();
        known.add(id);
        return { id };
      },
      exists: async (id: string) => known.has(id),
    } as unknown as UserRepository;
    const config = { production: false, trustProxy: false, rateLimitIpPerMinute: 2 } as ApiConfig;
    const sut = new IdentityGuard(config, users, new AddressGuard(config), new Reflector());
    const contextOf = (request: FastifyRequest, reply: FastifyReply, handler: () => void) =>
      ({
        getType: () => 'http',
        getHandler: () => handler,
        getClass: () => Routes,
        switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
      }) as unknown as ExecutionContext;
    for (const name of ['me', 'list'] as const) {
      server.get(`/${name}`, async (request, reply) => {
        await sut.canActivate(contextOf(request, reply, Routes.prototype[name]));
        return { id: identityOf(request).userId };
      });
    }
    server.get('/write', async (request, reply) => {
      await sut.canActivate(contextOf(request, reply, Routes.prototype.list));
      const identity = identityOf(request);
      identity.checkAddress();
      return { id: await identity.ensure() };
    });
    server.setErrorHandler((error, _request, reply) =>
      reply
        .code(error instanceof ApiError ? error.status : 500)
        .send({ code: error instanceof ApiError ? error.code : 'x' }),
    );
  });
  after(() => server.close());

  const get = (url: string, cookie?: string, remoteAddress = '10.0.0.1') =>
    server.inject({ method: 'GET', url, remoteAddress, headers: cookie ? { cookie } : {} });

  it('creates nothing for a route that only reads the identity', async () => {
    const before = created;
    const reply = await get('/list');
    assert.deepEqual(reply.json(), { id: null });
    assert.equal(reply.headers['set-cookie'], undefined);
    assert.equal(created, before);
  });

  it('creates the user and its cookie before a @CreatesIdentity() handler, once', async () => {
    const first = await get('/me', undefined, '10.0.0.2');
    const id = (first.json() as { id: string }).id;
    assert.ok(known.has(id));
    const pair = String(first.headers['set-cookie']).split(';')[0];
    const again = await get('/me', pair, '10.0.0.2');
    assert.equal((again.json() as { id: string }).id, id);
    assert.equal(again.headers['set-cookie'], undefined);
    assert.equal(
      (await get('/list', pair)).json<{ id: string }>().id,
      id,
      'read-only routes see the same user',
    );
  });

  it('replaces a cookie naming a user the database no longer has', async () => {
    const first = await get('/me', undefined, '10.0.0.3');
    const id = (first.json() as { id: string }).id;
    known.delete(id);
    const again = await get('/me', String(first.headers['set-cookie']).split(';')[0], '10.0.0.3');
    assert.notEqual((again.json() as { id: string }).id, id);
    assert.match(String(again.headers['set-cookie']), new RegExp(`^${PLAIN_COOKIE}=`));
  });

  it('counts an address once per request, also when the request creates a user', async () => {
    assert.equal((await get('/write', undefined, '10.0.0.4')).statusCode, 200);
    assert.equal((await get('/write', undefined, '10.0.0.4')).statusCode, 200);
    const limited = await get('/write', undefined, '10.0.0.4');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['set-cookie'], undefined, 'no user created past the limit');
  });
});

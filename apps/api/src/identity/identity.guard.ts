import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isUuid } from '@koodi/contracts';
import { UserRepository } from '@koodi/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { AddressGuard } from './address-guard.service';
import type { Identity } from './identity';

const MAX_AGE_SECONDS = 400 * 24 * 3600;

/** The identity cookie of a request that arrived over HTTPS: Secure, no Domain, Path=/. */
export const SECURE_COOKIE = '__Host-koodi_id';
/** The identity cookie over plain HTTP, where browsers drop a Secure one (http://localhost aside). */
export const PLAIN_COOKIE = 'koodi_id';

/** Route metadata: the handler needs a known user, created before it runs if need be. */
export const CREATES_IDENTITY = 'koodi:creates-identity';

/**
 * Whether the request reached us over HTTPS. Fastify believes X-Forwarded-Proto only from an
 * address TRUST_PROXY names (NGINX sets it from its own $scheme); from anyone else it is ignored
 * and the socket decides.
 */
export function arrivedOverHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The cookie a request reads and writes: the `__Host-` one over HTTPS, the plain one over HTTP. */
export function identityCookieName(request: FastifyRequest): string {
  return arrivedOverHttps(request) ? SECURE_COOKIE : PLAIN_COOKIE;
}

const identities = new WeakMap<FastifyRequest, Identity>();

/** The identity the guard attached to a request. */
export function identityOf(request: FastifyRequest): Identity {
  const identity = identities.get(request);
  if (!identity) throw new Error('IdentityGuard did not run for this request');
  return identity;
}

/**
 * The anonymous student behind a request: a user id in a signed, HttpOnly cookie. Over HTTPS the
 * cookie is Secure with the `__Host-` prefix, so no subdomain and no plain-HTTP answer can plant
 * it; over plain HTTP (a school LAN without a certificate) it is an ordinary cookie, because a
 * browser would drop a Secure one and every request would be a new student. HTTPS requests never
 * read the plain cookie: anyone on the network could have set that one.
 *
 * Runs for every route and attaches an Identity; routes marked `@CreatesIdentity()` get a user
 * that exists before the handler runs, others create one only when their service asks to.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  private readonly logger = new Logger(IdentityGuard.name);
  private warnedAboutPlainHttp = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly users: UserRepository,
    private readonly addressGuard: AddressGuard,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const identity = this.identify(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
    );
    if (this.reflector.get<boolean>(CREATES_IDENTITY, context.getHandler())) {
      const userId = identity.userId;
      if (!userId || !(await this.users.exists(userId))) await identity.renew();
    }
    return true;
  }

  /** The request's Identity, attached for the parameter decorators. */
  identify(request: FastifyRequest, reply: FastifyReply): Identity {
    let userId: string | null | undefined;
    let addressChecked = false;
    const identity: Identity = {
      get userId() {
        if (userId === undefined) userId = currentUser(request);
        return userId;
      },
      checkAddress: () => {
        if (addressChecked) return;
        addressChecked = true;
        this.addressGuard.check(request.ip);
      },
      ensure: async () => identity.userId ?? identity.renew(),
      renew: async () => {
        identity.checkAddress();
        userId = await this.create(request, reply);
        return userId;
      },
    };
    identities.set(request, identity);
    return identity;
  }

  /** The one place a user is created and its cookie set. */
  private async create(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const secure = arrivedOverHttps(request);
    if (!secure) this.warnPlainHttpInProduction(request);
    const user = await this.users.create();
    reply.setCookie(secure ? SECURE_COOKIE : PLAIN_COOKIE, user.id, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      signed: true,
      maxAge: MAX_AGE_SECONDS,
    });
    return user.id;
  }

  /** Once per process: production over plain HTTP works, but anyone on the network can read the cookie. */
  private warnPlainHttpInProduction(request: FastifyRequest): void {
    if (!this.config.production || this.warnedAboutPlainHttp) return;
    this.warnedAboutPlainHttp = true;
    this.logger.warn(
      `NODE_ENV=production but a student arrived over plain HTTP (host ${request.host}, from ${request.ip}): ` +
        `their identity cookie is "${PLAIN_COOKIE}" without Secure and travels unencrypted. Serve HTTPS ` +
        `(docs/OPERATIONS.md, "TLS"); behind a proxy that ends TLS, make it send X-Forwarded-Proto and list ` +
        `it in TRUST_PROXY (now ${String(this.config.trustProxy)}).`,
    );
  }
}

/** The user id the request's own cookie carries, or null; never creates one. */
function currentUser(request: FastifyRequest): string | null {
  const raw = request.cookies[identityCookieName(request)];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && isUuid(unsigned.value) ? unsigned.value : null;
}

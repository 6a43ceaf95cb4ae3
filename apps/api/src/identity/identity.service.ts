import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUuid } from '@koodi/contracts';
import { UserRepository } from '@koodi/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { AddressGuard } from './address-guard.service';

const MAX_AGE_SECONDS = 400 * 24 * 3600;

/** The identity cookie of a request that arrived over HTTPS: Secure, no Domain, Path=/. */
export const SECURE_COOKIE = '__Host-koodi_id';
/** The identity cookie over plain HTTP, where browsers drop a Secure one (http://localhost aside). */
export const PLAIN_COOKIE = 'koodi_id';

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

/**
 * The anonymous student behind a request: a user id in a signed, HttpOnly cookie. Over HTTPS the
 * cookie is Secure with the `__Host-` prefix, so no subdomain and no plain-HTTP answer can plant
 * it; over plain HTTP (a school LAN without a certificate) it is an ordinary cookie, because a
 * browser would drop a Secure one and every request would be a new student. HTTPS requests never
 * read the plain cookie: anyone on the network could have set that one.
 */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);
  private warnedAboutPlainHttp = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly users: UserRepository,
    private readonly addressGuard: AddressGuard,
  ) {}

  /** The user id the request carries, or null; never creates one. */
  current(request: FastifyRequest): string | null {
    const raw = request.cookies[identityCookieName(request)];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && isUuid(unsigned.value) ? unsigned.value : null;
  }

  /** The request's user, created (and the cookie set) when it has none. */
  async ensure(
    request: FastifyRequest,
    reply: FastifyReply,
    addressChecked = false,
  ): Promise<string> {
    return this.current(request) ?? this.create(request, reply, addressChecked);
  }

  /** A fresh identity; also used when a cookie names a user the database no longer has. */
  async create(
    request: FastifyRequest,
    reply: FastifyReply,
    addressChecked = false,
  ): Promise<string> {
    if (!addressChecked) this.addressGuard.check(request);
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

  exists(userId: string): Promise<boolean> {
    return this.users.exists(userId);
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

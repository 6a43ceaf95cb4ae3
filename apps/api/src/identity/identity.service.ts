import { Inject, Injectable } from '@nestjs/common';
import { UserRepository } from '@koodi/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { AddressGuard } from './address-guard.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_AGE_SECONDS = 400 * 24 * 3600;

/**
 * The anonymous student behind a request: a user id in a signed, HttpOnly cookie. In production
 * the cookie is Secure with the `__Host-` prefix (no Domain, Path=/), so no subdomain can plant it.
 */
@Injectable()
export class IdentityService {
  readonly cookieName: string;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly users: UserRepository,
    private readonly addressGuard: AddressGuard,
  ) {
    this.cookieName = config.production ? '__Host-koodi_id' : 'koodi_id';
  }

  /** The user id the request carries, or null; never creates one. */
  current(request: FastifyRequest): string | null {
    const raw = request.cookies[this.cookieName];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value && UUID.test(unsigned.value) ? unsigned.value : null;
  }

  /** The request's user, created (and the cookie set) when it has none. */
  async ensure(request: FastifyRequest, reply: FastifyReply, addressChecked = false): Promise<string> {
    return this.current(request) ?? this.create(request, reply, addressChecked);
  }

  /** A fresh identity; also used when a cookie names a user the database no longer has. */
  async create(request: FastifyRequest, reply: FastifyReply, addressChecked = false): Promise<string> {
    if (!addressChecked) this.addressGuard.check(request);
    const user = await this.users.create();
    reply.setCookie(this.cookieName, user.id, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.production,
      signed: true,
      maxAge: MAX_AGE_SECONDS,
    });
    return user.id;
  }

  exists(userId: string): Promise<boolean> {
    return this.users.exists(userId);
  }
}

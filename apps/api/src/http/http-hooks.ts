import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api.config';
import type { Metrics } from '../ops/metrics.service';
import { ApiError } from './api-error';

/**
 * The security headers of every API answer. Reached directly, the API sends them; through NGINX,
 * NGINX drops these and sends its own, with the same values (infra/nginx/*.conf; docs/SECURITY.md,
 * "HTTP security headers"). Hijacked replies (the event stream) write them themselves.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: under it a browser sends `Origin: null` on a same-origin POST, which the
  // cross-site check refuses where Sec-Fetch-Site is missing.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};
/** Sent only on answers that went out over HTTPS, in production. */
export const HSTS = 'max-age=63072000; includeSubDomains';
/** The OpenAPI page runs the bundled Swagger UI: scripts and styles from this origin only. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Fastify-level plumbing kept out of Nest's per-request pipeline for speed: security headers,
 * the cross-site write check, request metrics and strict JSON parsing.
 */
export function installHttpHooks(
  fastify: FastifyInstance,
  config: ApiConfig,
  metrics: Metrics,
): void {
  // HSTS is a promise that HTTPS works here: send it only on answers that went out over HTTPS (a
  // school server on plain HTTP must not pin a scheme it cannot serve; browsers ignore it on HTTP).
  const hsts = config.production;

  // JSON only. The body arrives as bytes so invalid UTF-8 is refused instead of silently replaced.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (_request, body, done) => {
      const bytes = body as Buffer;
      if (bytes.length === 0) {
        done(ApiError.badRequest('invalid_json', 'The JSON body is empty.'), undefined);
        return;
      }
      if (!isUtf8(bytes)) {
        done(ApiError.badRequest('invalid_utf8', 'The body is not valid UTF-8.'), undefined);
        return;
      }
      try {
        done(null, JSON.parse(bytes.toString('utf8')));
      } catch {
        done(ApiError.badRequest('invalid_json', 'The body is not valid JSON.'), undefined);
      }
    },
  );

  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    if (hsts && request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    reply.header('x-request-id', request.id);
    if (request.url.startsWith('/api/docs')) reply.header('content-security-policy', DOCS_CSP);
    if (UNSAFE_METHODS.has(request.method) && isCrossSite(request)) {
      done(
        new ApiError(
          403,
          'cross_site_request',
          'Cross-site requests may not change anything here.',
        ),
      );
      return;
    }
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) {
      request.log.error(
        { method: request.method, url: request.url, status: reply.statusCode },
        'request failed',
      );
    } else {
      request.log.debug(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        'request completed',
      );
    }
    done();
  });

  // Errors raised here (body parsing, hooks) reach Nest's error handler and so AllExceptionsFilter.
}

/**
 * A browser tells where a request comes from: Sec-Fetch-Site, else Origin. Anything not from this
 * very site is refused. Clients that send neither (curl, scripts) are not browsers acting for a
 * third party, so they pass.
 */
export function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers['origin'];
  if (typeof origin === 'undefined') return false;
  if (typeof origin !== 'string' || origin === 'null') return true;
  try {
    const from = new URL(origin);
    const host = String(request.host).toLowerCase();
    // A proxy may pass the Host without its port (NGINX's $host): then compare names only.
    return host.includes(':')
      ? from.host.toLowerCase() !== host
      : from.hostname.toLowerCase() !== host;
  } catch {
    return true;
  }
}

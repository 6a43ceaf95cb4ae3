import type { FastifyReply } from 'fastify';

/** A prepared JSON answer: services decide status and caching headers, controllers send it. */
export interface HttpAnswer {
  status: number;
  /** Already serialised JSON (empty for 304); a Buffer when cached ready to send. */
  json: string | Buffer;
  headers?: Record<string, string>;
}

export function send(reply: FastifyReply, answer: HttpAnswer): string | Buffer {
  reply.code(answer.status);
  if (answer.headers) reply.headers(answer.headers);
  if (answer.status === 304) return '';
  reply.type('application/json; charset=utf-8');
  return answer.json;
}

/** A JSON answer for user-specific data: never cached anywhere. */
export function privateJson(status: number, value: unknown): HttpAnswer {
  return { status, json: JSON.stringify(value), headers: { 'cache-control': 'private, no-store' } };
}

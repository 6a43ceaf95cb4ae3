import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/** Every error a controller throws leaves as `{ error: { code, message } }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const response = toErrorResponse(exception);
    if (response.status >= 500) request.log.error({ err: exception }, 'request failed');
    if (reply.sent || reply.raw.headersSent) return;
    if (response.headers) reply.headers(response.headers);
    reply.header('cache-control', 'no-store').code(response.status).send(response.body);
  }
}

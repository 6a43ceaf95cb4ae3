import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toErrorResponse } from './error-response';

/** What the filter needs of a request: its logger, which carries the request id. */
interface LoggedRequest {
  log: { error(details: object, message: string): void };
}

/**
 * Every error a controller throws leaves as `{ error: { code, message } }`. Written through Nest's
 * HTTP adapter, so nothing here depends on the server under it.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const reply: unknown = http.getResponse();
    const response = toErrorResponse(exception);
    if (response.status >= 500) {
      http.getRequest<LoggedRequest>().log.error({ err: exception }, 'request failed');
    }
    // A stream that failed mid-flight has sent its headers without ending: nothing more to say.
    const streaming = (reply as { raw?: { headersSent?: boolean } }).raw?.headersSent === true;
    if (httpAdapter.isHeadersSent(reply) || streaming) return;
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      httpAdapter.setHeader(reply, name, value);
    }
    httpAdapter.setHeader(reply, 'cache-control', 'no-store');
    httpAdapter.reply(reply, response.body, response.status);
  }
}

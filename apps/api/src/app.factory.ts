import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyBaseLogger, LogController } from 'fastify';
import { AppModule } from './app.module';
import type { ApiConfig } from './config/api.config';
import { installHttpHooks } from './http/http-hooks';
import { Metrics } from './ops/metrics.service';

/** NGINX refuses bodies over 256 KB too: JSON escaping can double 64 KB of code. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Nest's own log lines go through the same JSON logger as the requests. */
class JsonLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}
  log(message: unknown, context?: string) {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, String(message));
  }
}

export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    logger: { level: config.logLevel },
    // One line per request at 10,000 req/s is too much: the onResponse hook logs what matters.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const logger = new JsonLogger(adapter.getInstance().log);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forConfig(config),
    adapter,
    {
      logger,
      bufferLogs: false,
      // Our own JSON parser (http-hooks) refuses invalid UTF-8 instead of replacing it.
      bodyParser: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(fastifyCookie, { secret: config.cookieSecret });
  installHttpHooks(fastify, config, app.get(Metrics));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Koodi API')
      .setDescription(
        'Assignments, submissions, live grading status and progress. Errors are { error: { code, message } }.',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  return app;
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { HealthResponse } from '@koodi/contracts';
import type { Registry } from 'prom-client';
import { healthStatusCode } from './health';

/** What an app's ops server serves; provided under {@link OPS_SERVER_OPTIONS}. */
export interface OpsServerOptions {
  /** OPS_HOST: loopback unless told otherwise. */
  host: string;
  /** OPS_PORT; `0` picks a free one. */
  port: number;
  /** The app's Prometheus registry, served at /metrics. */
  registry: Registry;
  /** Readiness: the app's own checks (Postgres, Redis, the grader's sandbox…). */
  ready: () => Promise<HealthResponse>;
}

export const OPS_SERVER_OPTIONS = Symbol('OPS_SERVER_OPTIONS');

interface Answer {
  status: number;
  type: string;
  body: string;
}

const LIVE: HealthResponse = { status: 'ok', checks: {} };

const json = (status: number, value: unknown): Answer => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
});

const failure = (status: number, code: string, message: string): Answer =>
  json(status, { error: { code, message } });

/**
 * The operators' port of the API and the grader, never routed through the public NGINX:
 * `/metrics` (Prometheus text), `/health/live` (the process answers, touching nothing),
 * `/health/ready` (the app's checks; 503 when one is down or the process drains) and `/health`,
 * the same as `/health/ready`. Every health answer is a HealthResponse.
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OpsServer.name);
  private readonly server: Server;

  constructor(@Inject(OPS_SERVER_OPTIONS) private readonly options: OpsServerOptions) {
    this.server = createServer((request, response) => {
      this.route(request.method ?? 'GET', (request.url ?? '/').split('?')[0]).then(
        ({ status, type, body }) =>
          response
            .writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
            .end(body),
        (error: unknown) => {
          this.logger.error(
            `Ops request failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          const { status, type, body } = failure(500, 'internal_error', 'The ops request failed.');
          if (!response.headersSent) response.writeHead(status, { 'content-type': type }).end(body);
        },
      );
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.logger.log(`Health and metrics on http://${this.options.host}:${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The bound address. */
  get address(): string {
    return (this.server.address() as AddressInfo | null)?.address ?? '';
  }

  /** The bound port (useful when OPS_PORT is 0); 0 before it listens. */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  private async route(method: string, path: string): Promise<Answer> {
    if (method !== 'GET' && method !== 'HEAD')
      return failure(405, 'method_not_allowed', 'The ops endpoints only answer GET.');
    switch (path) {
      case '/metrics': {
        const { registry } = this.options;
        return { status: 200, type: registry.contentType, body: await registry.metrics() };
      }
      case '/health/live':
        return json(200, LIVE);
      case '/health/ready':
      case '/health': {
        const health = await this.options.ready();
        return json(healthStatusCode(health), health);
      }
      default:
        return failure(404, 'not_found', 'No such endpoint.');
    }
  }
}

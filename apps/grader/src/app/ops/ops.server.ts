import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { GRADER_CONFIG, type GraderConfig } from '../config/grader.config';
import { GraderMetrics } from './grader.metrics';
import { HealthService } from './health.service';

/**
 * Health and Prometheus metrics on OPS_HOST:OPS_PORT (loopback unless told otherwise, like the
 * API's), for operators and the container's HEALTHCHECK; never routed through the public NGINX.
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OpsServer.name);
  private readonly server: Server;

  constructor(
    @Inject(GRADER_CONFIG) private readonly config: GraderConfig,
    private readonly metrics: GraderMetrics,
    private readonly health: HealthService,
  ) {
    this.server = createServer((request, response) => {
      void this.route(request.method ?? 'GET', (request.url ?? '/').split('?')[0]).then(
        ({ status, type, body }) =>
          response
            .writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
            .end(body),
        (error: unknown) => {
          this.logger.error(
            `Ops request failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        },
      );
    });
    this.server.keepAliveTimeout = 5_000;
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.opsPort, this.config.opsHost, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.logger.log(`Health and metrics on ${this.config.opsHost}:${this.port}`);
  }

  /** The bound address. */
  get address(): string {
    return (this.server.address() as AddressInfo | null)?.address ?? '';
  }

  /** The bound port (useful when OPS_PORT is 0). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(
    method: string,
    path: string,
  ): Promise<{ status: number; type: string; body: string }> {
    if (method !== 'GET' && method !== 'HEAD')
      return { status: 405, type: 'text/plain', body: 'method not allowed\n' };
    switch (path) {
      case '/metrics':
        return {
          status: 200,
          type: this.metrics.registry.contentType,
          body: await this.metrics.registry.metrics(),
        };
      case '/health/live':
        return { status: 200, type: 'application/json', body: JSON.stringify({ status: 'up' }) };
      case '/health': {
        const report = await this.health.check();
        return {
          status: report.status === 'up' ? 200 : 503,
          type: 'application/json',
          body: JSON.stringify(report),
        };
      }
      default:
        return { status: 404, type: 'text/plain', body: 'not found\n' };
    }
  }
}

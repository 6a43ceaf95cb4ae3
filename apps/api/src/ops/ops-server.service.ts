import { createServer, type Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { HealthService } from '../health/health.service';
import { Metrics } from './metrics.service';

/**
 * The operators' port, never routed through the public NGINX: /metrics (Prometheus text),
 * /health/live (the process answers) and /health/ready (Postgres and Redis reachable).
 */
@Injectable()
export class OpsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OpsServer.name);
  private server?: Server;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly metrics: Metrics,
    private readonly health: HealthService,
  ) {}

  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((request, response) => {
      const send = (status: number, type: string, body: string) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
      };
      const path = (request.url ?? '/').split('?')[0];
      const work = async () => {
        if (path === '/metrics') return send(200, this.metrics.registry.contentType, await this.metrics.registry.metrics());
        if (path === '/health/live') return send(200, 'application/json', '{"status":"ok"}');
        if (path === '/health/ready' || path === '/health') {
          const health = await this.health.check();
          return send(health.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(health));
        }
        send(404, 'application/json', '{"error":{"code":"not_found","message":"No such endpoint."}}');
      };
      work().catch((error) => {
        this.logger.error(`ops request failed: ${String(error)}`);
        if (!response.headersSent) send(500, 'application/json', '{"error":{"code":"internal_error","message":"failed"}}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.opsPort, this.config.opsHost, () => resolve());
    });
    this.logger.log(`ops endpoints on http://${this.config.opsHost}:${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

import type { Provider } from '@nestjs/common';
import { OPS_SERVER_OPTIONS, OpsServer, type OpsServerOptions } from '@koodi/server';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { HealthService } from '../health/health.service';
import { Metrics } from './metrics.service';

/** The API's metrics and its ops server (the shared one of @koodi/server), with its readiness checks. */
export const opsProviders: Provider[] = [
  Metrics,
  {
    provide: OPS_SERVER_OPTIONS,
    useFactory: (config: ApiConfig, metrics: Metrics, health: HealthService): OpsServerOptions => ({
      host: config.opsHost,
      port: config.opsPort,
      registry: metrics.registry,
      ready: () => health.check(),
    }),
    inject: [API_CONFIG, Metrics, HealthService],
  },
  OpsServer,
];

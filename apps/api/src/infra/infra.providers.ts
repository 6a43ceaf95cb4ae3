import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AssignmentRepository, createDataSource, SubmissionRepository, UserRepository } from '@koodi/db';
import type { Redis } from 'ioredis';
import { createRedis } from '@koodi/queue';
import type { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../config/api.config';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
/** Commands (cache, rate limits, locks, queue). */
export const REDIS = Symbol('REDIS');

/** Closes the shared connections last, after the HTTP server has drained. */
@Injectable()
export class ConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.dataSource.isInitialized ? this.dataSource.destroy() : Promise.resolve(),
      this.redis.quit().catch(() => this.redis.disconnect()),
    ]);
  }
}

export const infraProviders: Provider[] = [
  {
    provide: DATA_SOURCE,
    inject: [API_CONFIG],
    useFactory: (config: ApiConfig) =>
      createDataSource({
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        applicationName: 'koodi-api',
      })
        // Expected failures (a second submission in flight) are answers, not log lines; the
        // driver's errors still reach the JSON log through the request that met them.
        .setOptions({ logging: [] })
        .initialize(),
  },
  {
    provide: REDIS,
    inject: [API_CONFIG],
    useFactory: (config: ApiConfig) => {
      const redis = createRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableAutoPipelining: true });
      // ioredis reconnects by itself; say so once in a while instead of on every attempt.
      const logger = new Logger('Redis');
      let lastLogged = 0;
      redis.on('error', (error: Error) => {
        if (Date.now() - lastLogged < 5_000) return;
        lastLogged = Date.now();
        logger.warn(`redis: ${error.message}`);
      });
      return redis;
    },
  },
  { provide: UserRepository, inject: [DATA_SOURCE], useFactory: (ds: DataSource) => new UserRepository(ds) },
  {
    provide: AssignmentRepository,
    inject: [DATA_SOURCE],
    useFactory: (ds: DataSource) => new AssignmentRepository(ds),
  },
  {
    provide: SubmissionRepository,
    inject: [DATA_SOURCE],
    useFactory: (ds: DataSource) => new SubmissionRepository(ds),
  },
  ConnectionsCloser,
];

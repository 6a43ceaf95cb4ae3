import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import {
  AssignmentRepository,
  createDataSource,
  SubmissionRepository,
  UserRepository,
} from '@koodi/db';
import type { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { createRedis, enforceEvictionPolicy, type RedisClient } from '@koodi/queue';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
/** Commands (cache, rate limits, locks, queue). */
export const REDIS = Symbol('REDIS');

/** Closes the shared connections last, after the HTTP server has drained. */
@Injectable()
export class ConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.dataSource.isInitialized ? this.dataSource.destroy() : Promise.resolve(),
      this.redis.quit().catch(() => this.redis.disconnect()),
    ]);
  }
}

/** Refuses to start on a Redis that may evict queued jobs (an `allkeys-*` maxmemory-policy). */
@Injectable()
export class EvictionPolicyCheck implements OnModuleInit {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  onModuleInit(): Promise<void> {
    return enforceEvictionPolicy(this.redis, this.config.gradingQueue, new Logger('Redis'));
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
      const redis = createRedis(
        config.redisUrl,
        { lazyConnect: false, maxRetriesPerRequest: 2, enableAutoPipelining: true },
        'api',
      );
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
  {
    provide: UserRepository,
    inject: [DATA_SOURCE],
    useFactory: (ds: DataSource) => new UserRepository(ds),
  },
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
  EvictionPolicyCheck,
];

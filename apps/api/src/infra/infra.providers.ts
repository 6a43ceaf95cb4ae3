import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { AssignmentRepository, SubmissionRepository, UserRepository } from '@koodi/db';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { createRedis, enforceEvictionPolicy, type RedisClient } from '@koodi/queue';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
/** Commands (cache, rate limits, locks, queue). */
export const REDIS = Symbol('REDIS');

/**
 * Closes the Redis connection last, after the HTTP server has drained; TypeOrmModule closes the
 * data source at the same point.
 */
@Injectable()
export class ConnectionsCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
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
  // The data source itself comes from TypeOrmModule (infra.module.ts); this name is what the
  // features inject.
  { provide: DATA_SOURCE, useExisting: DataSource },
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

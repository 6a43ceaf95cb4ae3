import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AssignmentRepository,
  dataSourceOptions,
  SubmissionRepository,
  UserRepository,
} from '@koodi/db';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { DATA_SOURCE, infraProviders, REDIS } from './infra.providers';
import { RedisSubscriber } from './redis-subscriber.service';

/** The config, the shared connections and the repositories: every feature module may use them. */
@Global()
@Module({})
export class InfraModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: InfraModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({
              url: config.databaseUrl,
              poolSize: config.databasePoolSize,
              applicationName: 'koodi-api',
            }),
            // Expected failures (a second submission in flight) are answers, not log lines; the
            // driver's errors still reach the JSON log through the request that met them.
            logging: [],
            // A database that cannot be reached at boot fails the start at once, as the
            // orchestrator's restart (not a minute of silent retries) is the recovery.
            retryAttempts: 0,
          }),
        }),
      ],
      providers: [{ provide: API_CONFIG, useValue: config }, ...infraProviders, RedisSubscriber],
      exports: [
        API_CONFIG,
        DATA_SOURCE,
        REDIS,
        UserRepository,
        AssignmentRepository,
        SubmissionRepository,
        RedisSubscriber,
      ],
    };
  }
}

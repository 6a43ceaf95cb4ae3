import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AssignmentRepository, SubmissionRepository, UserRepository } from '@koodi/db';
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

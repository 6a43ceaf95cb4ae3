import { DataSource, type DataSourceOptions } from 'typeorm';
import { AssignmentEntity } from './entities/assignment.entity';
import { SubmissionEntity } from './entities/submission.entity';
import { UserEntity } from './entities/user.entity';

export const ENTITIES = [UserEntity, AssignmentEntity, SubmissionEntity];

export interface DatabaseConfig {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  applicationName?: string;
}

/**
 * Options for TypeORM. The schema belongs to infra/flyway/sql: synchronisation and TypeORM's
 * own migrations stay off, always.
 */
export function dataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const url = new URL(config.url);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`database url must start with postgres://, got ${url.protocol}`);
  }
  return {
    type: 'postgres',
    url: config.url,
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    applicationName: config.applicationName ?? 'koodi',
    extra: { max: config.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  };
}

export function createDataSource(config: DatabaseConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMetadataArgsStorage } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { createDataSource, dataSourceOptions, ENTITIES } from './data-source';

const URL = 'postgres://koodi:secret@127.0.0.1:5432/koodi';
const postgres = (config: Parameters<typeof dataSourceOptions>[0]) =>
  dataSourceOptions(config) as PostgresConnectionOptions;

describe(dataSourceOptions.name, () => {
  it('leaves the schema to infra/flyway/sql: no synchronisation, no TypeORM migrations', () => {
    const sut = dataSourceOptions({ url: URL });
    assert.equal(sut.synchronize, false);
    assert.equal(sut.migrationsRun, false);
  });

  it('accepts postgres:// and postgresql:// and refuses any other scheme', () => {
    assert.equal(dataSourceOptions({ url: URL }).type, 'postgres');
    assert.equal(
      dataSourceOptions({ url: URL.replace('postgres:', 'postgresql:') }).type,
      'postgres',
    );
    for (const url of ['mysql://koodi@127.0.0.1/koodi', 'http://127.0.0.1:5432/koodi']) {
      assert.throws(() => dataSourceOptions({ url }), /must start with postgres:\/\//, url);
    }
    assert.throws(() => dataSourceOptions({ url: 'not a url' }));
  });

  it('sizes the pool and names the connection as told, with defaults', () => {
    const defaults = postgres({ url: URL });
    assert.equal(defaults.applicationName, 'koodi');
    assert.deepEqual(defaults.extra, { max: 10, connectionTimeoutMillis: 5_000 });
    const sut = postgres({ url: URL, poolSize: 3, applicationName: 'koodi-grader' });
    assert.equal(sut.applicationName, 'koodi-grader');
    assert.equal(sut.extra.max, 3);
  });

  it('maps every entity, each to a table of its own', () => {
    const tables = getMetadataArgsStorage()
      .tables.filter((table) => (ENTITIES as unknown[]).includes(table.target))
      .map((table) => table.name);
    assert.equal(tables.length, ENTITIES.length);
    assert.equal(new Set(tables).size, ENTITIES.length);
    assert.deepEqual(dataSourceOptions({ url: URL }).entities, ENTITIES);
  });
});

describe(createDataSource.name, () => {
  it('does not connect until told to', () => {
    const sut = createDataSource({ url: 'postgres://koodi@127.0.0.1:1/none' });
    assert.equal(sut.isInitialized, false);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, MigrationError } from './migrate.ts';
import { flywayChecksum } from './checksum.ts';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL must point at a PostgreSQL server');

/** A database of its own for each test, dropped afterwards. */
async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `koodi_migrate_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'koodi-migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe('migrate', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  const dirs: string[] = [];
  before(async () => {
    db = await scratchDatabase();
  });
  after(async () => {
    await db.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('applies files in version order and records them as Flyway does', async () => {
    const v2 = 'ALTER TABLE pets ADD COLUMN name text;\n';
    const dir = await migrationsDir({
      'V10__add_age.sql': 'ALTER TABLE pets ADD COLUMN age integer;\n',
      'V2__add_name.sql': v2,
      'V1__create_pets.sql': 'CREATE TABLE pets (id integer PRIMARY KEY);\n',
    });
    dirs.push(dir);

    const report = await migrate(db.url, dir);

    assert.deepEqual(report.applied, [
      'V1__create_pets.sql',
      'V2__add_name.sql',
      'V10__add_age.sql',
    ]);
    const history = await query<Record<string, unknown>>(
      db.url,
      'SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank',
    );
    assert.deepEqual(history[1], {
      installed_rank: 2,
      version: '2',
      description: 'add name',
      type: 'SQL',
      script: 'V2__add_name.sql',
      checksum: flywayChecksum(v2),
      success: true,
    });
    assert.deepEqual(
      history.map((row) => row.version),
      ['1', '2', '10'],
    );
  });

  it('is idempotent: a second run applies nothing', async () => {
    const dir = dirs[0];
    const report = await migrate(db.url, dir);
    assert.deepEqual(report.applied, []);
    assert.equal(report.alreadyApplied.length, 3);
  });

  it('refuses a migration changed after it was applied', async () => {
    const dir = dirs[0];
    await writeFile(join(dir, 'V2__add_name.sql'), 'ALTER TABLE pets ADD COLUMN nickname text;\n');
    await assert.rejects(migrate(db.url, dir), (error: Error) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /V2__add_name\.sql was changed after it was applied/);
      return true;
    });
  });

  it('leaves no partial schema when a migration fails, and names the file and line', async () => {
    const scratch = await scratchDatabase();
    try {
      const dir = await migrationsDir({
        'V1__ok.sql': 'CREATE TABLE first (id integer);\n',
        'V2__broken.sql':
          'CREATE TABLE second (id integer);\n\nSELECT no_such_column FROM second;\n',
      });
      dirs.push(dir);
      await assert.rejects(
        migrate(scratch.url, dir),
        /V2__broken\.sql line 3: column "no_such_column" does not exist/,
      );
      const tables = await query<{ table_name: string }>(
        scratch.url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      assert.deepEqual(
        tables.map((t) => t.table_name),
        ['first', 'flyway_schema_history'],
      );
      const versions = await query<{ version: string }>(
        scratch.url,
        'SELECT version FROM flyway_schema_history',
      );
      assert.deepEqual(versions, [{ version: '1' }]);
    } finally {
      await scratch.drop();
    }
  });

  it("applies the project's own migrations", async () => {
    const scratch = await scratchDatabase();
    try {
      const report = await migrate(
        scratch.url,
        new URL('../../infra/flyway/sql', import.meta.url).pathname,
      );
      assert.ok(report.applied.length >= 1);
      const tables = await query<{ table_name: string }>(
        scratch.url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'assignments', 'submissions')",
      );
      assert.equal(tables.length, 3);
    } finally {
      await scratch.drop();
    }
  });
});

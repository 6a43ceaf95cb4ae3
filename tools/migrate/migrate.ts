import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { flywayChecksum } from './checksum.ts';

/** One versioned SQL migration file, named as Flyway names them: V<version>__<description>.sql */
export interface MigrationFile {
  version: string;
  description: string;
  script: string;
  sql: string;
  checksum: number;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

const FILE_NAME = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const HISTORY = 'flyway_schema_history';
// Any constant works; it keeps concurrent runners (two API replicas, parallel tests) in line.
const ADVISORY_LOCK_KEY = 73_110_510;

export class MigrationError extends Error {}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const script of names) {
    const match = FILE_NAME.exec(script);
    if (!match) {
      throw new MigrationError(
        `${script}: not a migration name; expected V<version>__<description>.sql`,
      );
    }
    const sql = await readFile(join(dir, script), 'utf8');
    files.push({
      version: match[1].replace(/_/g, '.'),
      description: match[2].replace(/_/g, ' '),
      script,
      sql,
      checksum: flywayChecksum(sql),
    });
  }
  files.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < files.length; i++) {
    if (compareVersions(files[i - 1].version, files[i].version) === 0) {
      throw new MigrationError(
        `${files[i - 1].script} and ${files[i].script} share version ${files[i].version}`,
      );
    }
  }
  return files;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Applies pending migrations in version order, each in its own transaction, and records them
 * in Flyway's own history table so that Flyway can take over (and vice versa).
 */
export async function migrate(databaseUrl: string, dir: string): Promise<MigrationReport> {
  const files = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await ensureHistoryTable(client);
    const applied = await client.query<{
      version: string;
      script: string;
      checksum: number | null;
      success: boolean;
    }>(
      `SELECT version, script, checksum, success FROM ${HISTORY} WHERE version IS NOT NULL ORDER BY installed_rank`,
    );
    const byVersion = new Map(applied.rows.map((row) => [row.version, row]));
    const report: MigrationReport = { applied: [], alreadyApplied: [] };

    for (const file of files) {
      const done = byVersion.get(file.version);
      if (!done) continue;
      if (!done.success) {
        throw new MigrationError(
          `${file.script}: recorded as failed in ${HISTORY}; repair the database first`,
        );
      }
      if (done.checksum !== file.checksum) {
        throw new MigrationError(
          `${file.script} was changed after it was applied (checksum ${done.checksum} recorded, ${file.checksum} now). ` +
            'Applied migrations are immutable: revert the edit and add a new V<n>__… migration instead.',
        );
      }
      report.alreadyApplied.push(file.script);
    }

    for (const file of files.filter((f) => !byVersion.has(f.version))) {
      await applyOne(client, file);
      report.applied.push(file.script);
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function ensureHistoryTable(client: pg.Client): Promise<void> {
  // The same definition Flyway creates for PostgreSQL.
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${HISTORY} (
      installed_rank integer       NOT NULL,
      version        varchar(50),
      description    varchar(200)  NOT NULL,
      type           varchar(20)   NOT NULL,
      script         varchar(1000) NOT NULL,
      checksum       integer,
      installed_by   varchar(100)  NOT NULL,
      installed_on   timestamp     NOT NULL DEFAULT now(),
      execution_time integer       NOT NULL,
      success        boolean       NOT NULL,
      CONSTRAINT ${HISTORY}_pk PRIMARY KEY (installed_rank)
    )`);
  await client.query(`CREATE INDEX IF NOT EXISTS ${HISTORY}_s_idx ON ${HISTORY} (success)`);
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  const started = performance.now();
  await client.query('BEGIN');
  try {
    await client.query(file.sql);
    await client.query(
      `INSERT INTO ${HISTORY}
         (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
       VALUES ((SELECT coalesce(max(installed_rank), 0) + 1 FROM ${HISTORY}), $1, $2, 'SQL', $3, $4, current_user, $5, true)`,
      [
        file.version,
        file.description,
        file.script,
        file.checksum,
        Math.round(performance.now() - started),
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(
      `${file.script}${lineOf(file.sql, error)}: ${(error as Error).message}`,
    );
  }
}

/** Turns PostgreSQL's character position into " line N" of the file. */
function lineOf(sql: string, error: unknown): string {
  const position = Number((error as { position?: string }).position);
  if (!Number.isFinite(position) || position <= 0) return '';
  return ` line ${sql.slice(0, position - 1).split('\n').length}`;
}

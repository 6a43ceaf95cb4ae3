import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from './migrate.ts';

const MIGRATIONS = fileURLToPath(new URL('../../infra/flyway/sql', import.meta.url));

export interface ScratchDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A migrated database of its own on the DATABASE_URL server, so a test never touches rows that
 * other tests rely on. Drop it when done.
 */
export async function scratchDatabase(
  serverUrl: string,
  prefix = 'koodi_scratch',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  try {
    await migrate(url.toString(), MIGRATIONS);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: url.toString(), drop };
}

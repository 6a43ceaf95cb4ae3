// The env files infra/compose.yml reads its secrets from. Existing files are kept, so running
// it again never changes a password a database was created with.
//   node tools/images/secrets.ts <folder>
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const random = (bytes: number) => randomBytes(bytes).toString('hex');

export async function writeSecrets(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const postgresFile = join(dir, 'postgres.env');
  if (!existsSync(postgresFile)) {
    const password = random(24);
    await writeFile(postgresFile, `POSTGRES_PASSWORD=${password}\nFLYWAY_PASSWORD=${password}\n`, { mode: 0o600 });
  }
  const password = /^POSTGRES_PASSWORD=(.*)$/m.exec(await readFile(postgresFile, 'utf8'))?.[1];
  if (!password) throw new Error(`${postgresFile} has no POSTGRES_PASSWORD`);
  const databaseFile = join(dir, 'database.env');
  if (!existsSync(databaseFile)) {
    await writeFile(databaseFile, `DATABASE_URL=postgres://koodi:${password}@postgres:5432/koodi\n`, { mode: 0o600 });
  }
  const cookieFile = join(dir, 'cookie.env');
  if (!existsSync(cookieFile)) await writeFile(cookieFile, `COOKIE_SECRET=${random(32)}\n`, { mode: 0o600 });
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/images/secrets.ts <folder>   (e.g. infra/secrets)');
    process.exit(2);
  }
  await writeSecrets(dir);
  console.log(`secrets in ${dir}: postgres.env, database.env, cookie.env`);
}

// Runs a command with DATABASE_URL (a migrated database) and REDIS_URL set, starting local
// PostgreSQL and Redis in .data/ when needed. Used by the Nx test and serve targets.
//   node tools/stack/with-services.ts [--db NAME] -- command args…
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { migrate } from '../migrate/migrate.ts';
import { withFileLock } from './processes.ts';
import { DATA_DIR, ensureDatabase, ensureServices, ROOT } from './services.ts';

const separator = process.argv.indexOf('--');
if (separator < 0 || separator === process.argv.length - 1) {
  console.error('usage: node tools/stack/with-services.ts [--db NAME] -- command [args…]');
  process.exit(2);
}
const options = process.argv.slice(2, separator);
const dbFlag = options.indexOf('--db');
const database = dbFlag >= 0 ? options[dbFlag + 1] : 'koodi_test';
const [command, ...args] = process.argv.slice(separator + 1);

const quiet = (line: string) =>
  process.env.KOODI_STACK_VERBOSE && console.error(`[services] ${line}`);
mkdirSync(DATA_DIR, { recursive: true });
const { services, env } = await withFileLock(join(DATA_DIR, 'services.lock'), async () => {
  const services = await ensureServices(quiet);
  if (services.external) return { services, env: { ...process.env } };
  const url = await ensureDatabase(services.postgresServerUrl, database);
  await migrate(url, join(ROOT, 'infra/flyway/sql'));
  return { services, env: { ...process.env, DATABASE_URL: url, REDIS_URL: services.redisUrl } };
});
if (services.started) {
  console.error(
    'Started PostgreSQL and Redis in .data/ (they keep running; `npm run stack:stop` stops them).',
  );
}

const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

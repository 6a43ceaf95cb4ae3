// Applies infra/flyway/sql to DATABASE_URL: `npm run migrate`.
import { fileURLToPath } from 'node:url';
import { migrate, MigrationError } from './migrate.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is not set (e.g. postgres://user:password@localhost:5432/koodi)');
  process.exit(2);
}
const dir = fileURLToPath(new URL('../../infra/flyway/sql', import.meta.url));
try {
  const report = await migrate(databaseUrl, dir);
  for (const script of report.applied) console.log(`applied ${script}`);
  console.log(
    `schema up to date (${report.applied.length} applied, ${report.alreadyApplied.length} already applied)`,
  );
} catch (error) {
  console.error(error instanceof MigrationError ? `migration failed: ${error.message}` : error);
  process.exit(1);
}

// Applies infra/flyway/sql to DATABASE_URL: `npm run migrate`. Without DATABASE_URL, to the
// database of the `npm start` running in this checkout (recorded in .data/stack.json).
import { fileURLToPath } from 'node:url';
import { serviceEnv } from '../stack/local-stack.ts';
import { migrate, MigrationError } from './migrate.ts';

const services = serviceEnv(['DATABASE_URL']);
if (!services.ok) {
  for (const problem of services.problems) console.error(problem);
  process.exit(2);
}
console.log(`migrating the database of ${services.source}`);
const dir = fileURLToPath(new URL('../../infra/flyway/sql', import.meta.url));
try {
  const report = await migrate(services.env.DATABASE_URL!, dir);
  for (const script of report.applied) console.log(`applied ${script}`);
  console.log(
    `schema up to date (${report.applied.length} applied, ${report.alreadyApplied.length} already applied)`,
  );
} catch (error) {
  console.error(error instanceof MigrationError ? `migration failed: ${error.message}` : error);
  process.exit(1);
}

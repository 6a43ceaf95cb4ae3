// Validates content/ in the real sandbox and upserts it into the database: `npm run content:sync`.
//   node tools/content/sync.ts           validate, write, purge the API's assignment cache
//   node tools/content/sync.ts --check   validate only (needs neither Postgres nor Redis)
// Environment: DATABASE_URL, REDIS_URL (not needed with --check; when neither is set, those of the
// `npm start` running in this checkout, from .data/stack.json); CONTENT_DIR (default content/);
// CONTENT_SANDBOX_SLOTS (default: cores, at most 4).
import { fileURLToPath } from 'node:url';
import type { ContentProblem } from './content.loader.ts';
import { serviceEnv } from '../stack/local-stack.ts';

export type { SyncOptions, SyncReport, ValidateOptions } from './content.sync.ts';

const DEFAULT_CONTENT_DIR = fileURLToPath(new URL('../../content', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(
      `unknown argument ${unknown.join(' ')}; usage: node tools/content/sync.ts [--check]`,
    );
    return 2;
  }
  const checkOnly = argv.includes('--check');
  const env = process.env;
  const errors: string[] = [];
  // Without DATABASE_URL and REDIS_URL, the `npm start` running in this checkout is used.
  const services = checkOnly ? null : serviceEnv(['DATABASE_URL', 'REDIS_URL'], env);
  if (services && !services.ok) errors.push(...services.problems);
  const slots =
    env.CONTENT_SANDBOX_SLOTS === undefined ? undefined : Number(env.CONTENT_SANDBOX_SLOTS);
  if (slots !== undefined && !(Number.isInteger(slots) && slots >= 1 && slots <= 64)) {
    errors.push(
      `CONTENT_SANDBOX_SLOTS must be a whole number from 1 to 64, got "${env.CONTENT_SANDBOX_SLOTS}"`,
    );
  }
  if (errors.length > 0) {
    for (const error of errors) console.error(error);
    return 2;
  }
  // Loaded only now: it needs the built libraries, and the checks above must answer without them
  // (e.g. in a fresh clone that `npm start` has not built yet).
  const { syncContent, validateContent } = await import('./content.sync.ts');
  const contentDir = env.CONTENT_DIR || DEFAULT_CONTENT_DIR;
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);

  if (checkOnly) {
    const report = await validateContent({ contentDir, slots });
    if (report.problems.length > 0) return fail(report.problems);
    for (const a of report.assignments) console.log(`valid      ${a.content.slug} (${a.folder})`);
    console.log(
      `${report.assignments.length} assignments valid in ${seconds()} s; nothing written (--check)`,
    );
    return 0;
  }

  if (!services?.ok) throw new Error('unreachable: services were checked above');
  console.log(`using the database and Redis of ${services.source}`);
  const report = await syncContent({
    contentDir,
    slots,
    databaseUrl: services.env.DATABASE_URL!,
    redisUrl: services.env.REDIS_URL!,
  });
  for (const s of report.synced) {
    console.log(`${s.outcome.padEnd(10)} ${s.slug} (${s.folder}) ${s.version.slice(0, 12)}`);
  }
  for (const slug of report.orphans)
    console.log(`kept       ${slug} (no folder in content/; not deleted)`);
  if (report.problems.length > 0) return fail(report.problems);
  const count = (outcome: string) => report.synced.filter((s) => s.outcome === outcome).length;
  console.log(
    `${report.synced.length} assignments: ${count('created')} created, ${count('updated')} updated, ` +
      `${count('unchanged')} unchanged; cache purged; ${seconds()} s`,
  );
  return 0;
}

function fail(problems: ContentProblem[]): number {
  for (const p of problems) console.error(`content/${p.folder}: ${p.message}`);
  const folders = new Set(problems.map((p) => p.folder)).size;
  console.error(
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${folders} folder${folders === 1 ? '' : 's'}; nothing was changed.`,
  );
  return 1;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(`content sync failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

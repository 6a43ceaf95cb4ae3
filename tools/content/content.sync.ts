import { availableParallelism } from 'node:os';
import { purgeAssignmentCache } from '@koodi/contracts';
import { AssignmentRepository, createDataSource, type UpsertOutcome } from '@koodi/db';
import { createRedis } from '@koodi/queue';
import { SandboxPool } from '@koodi/sandbox';
import { loadContent, type ContentProblem, type LoadedAssignment } from './content.loader.ts';
import { checkInSandbox, type SandboxRunner } from './sandbox.check.ts';

export interface ValidateOptions {
  contentDir: string;
  /** Sandboxes run in parallel; default: the number of cores, at most 4. */
  slots?: number;
  python?: string;
  /** Use this sandbox instead of starting a pool (the caller owns it). */
  sandbox?: SandboxRunner;
}

export interface SyncOptions extends ValidateOptions {
  databaseUrl: string;
  redisUrl: string;
}

export interface SyncedAssignment {
  folder: string;
  slug: string;
  version: string;
  outcome: UpsertOutcome;
}

export interface ValidationReport {
  assignments: LoadedAssignment[];
  problems: ContentProblem[];
}

export interface SyncReport {
  /** Empty when there were problems: then nothing was written. */
  synced: SyncedAssignment[];
  problems: ContentProblem[];
  /** Slugs in the database without a folder any more; kept, since submissions refer to them. */
  orphans: string[];
  cachePurged: boolean;
}

// Serialises concurrent syncs against one database (any constant works).
const SYNC_LOCK_KEY = 73_110_511;

/** Loads content/ and checks every folder, statically and then in the real sandbox. */
export async function validateContent(options: ValidateOptions): Promise<ValidationReport> {
  const loaded = await loadContent(options.contentDir, { python: options.python });
  const problems = [...loaded.problems];
  let pool: SandboxPool | undefined;
  let sandbox = options.sandbox;
  if (!sandbox && loaded.assignments.length > 0) {
    pool = new SandboxPool({
      slots: options.slots ?? Math.min(availableParallelism(), 4),
      pythonPath: options.python,
    });
    await pool.start();
    sandbox = pool;
  }
  try {
    const checks = await Promise.all(loaded.assignments.map((a) => checkInSandbox(a, sandbox!)));
    problems.push(...checks.flat());
  } finally {
    await pool?.close();
  }
  problems.sort((a, b) => a.folder.localeCompare(b.folder));
  return { assignments: loaded.assignments, problems };
}

/**
 * Validates every folder, then upserts all of them by slug in one transaction and purges the
 * API's assignment cache. Any problem anywhere and nothing is written.
 */
export async function syncContent(options: SyncOptions): Promise<SyncReport> {
  const { assignments, problems } = await validateContent(options);
  const empty: SyncReport = { synced: [], problems, orphans: [], cachePurged: false };
  if (problems.length > 0) return empty;

  // One server, a Redis Cluster (`redis+cluster://`) or a Sentinel target, as the API and graders read it.
  const redis = createRedis(options.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  });
  // Connection errors surface through the commands below; without a listener ioredis also logs them.
  redis.on('error', () => undefined);
  const dataSource = createDataSource({
    url: options.databaseUrl,
    poolSize: 1,
    applicationName: 'koodi-content-sync',
  });
  try {
    // Both must be reachable before anything is written, so a dead Redis cannot leave a stale cache.
    await redis.connect();
    await redis.ping();
    await dataSource.initialize();
    const repository = new AssignmentRepository(dataSource);
    const { synced, orphans } = await dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK_KEY]);
      const synced: SyncedAssignment[] = [];
      for (const { folder, content } of assignments) {
        const outcome = await repository.upsertBySlug(content, manager);
        synced.push({ folder, slug: content.slug, version: content.version, outcome });
      }
      const rows: { slug: string }[] = await manager.query(
        'SELECT slug FROM assignments WHERE NOT (slug = ANY($1)) ORDER BY position, slug',
        [assignments.map((a) => a.content.slug)],
      );
      return { synced, orphans: rows.map((row) => row.slug) };
    });
    try {
      await purgeAssignmentCache(redis);
    } catch (error) {
      return {
        synced,
        orphans,
        cachePurged: false,
        problems: [
          {
            folder: 'cache',
            message: `the database was updated but purging the cache failed (${(error as Error).message}); run the sync again`,
          },
        ],
      };
    }
    return { synced, problems: [], orphans, cachePurged: true };
  } finally {
    redis.disconnect();
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

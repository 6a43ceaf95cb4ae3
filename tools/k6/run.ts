// Runs the k6 scenarios against a running stack (BASE_URL, default http://127.0.0.1:8080) when
// k6 is installed; otherwise says so and succeeds, since k6 is optional (npm run bench covers
// the same scenarios with npm packages only).
//   node tools/k6/run.ts [page-load|assignments-api|submission-post|submit-to-verdict]…
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SCENARIOS = ['page-load', 'assignments-api', 'submission-post', 'submit-to-verdict'];

function findK6(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'k6'), constants.X_OK);
      return join(dir, 'k6');
    } catch {
      // not here
    }
  }
  return null;
}

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!SCENARIOS.includes(name)) {
    console.error(`unknown scenario ${name}; choose from ${SCENARIOS.join(', ')}`);
    process.exit(2);
  }
}
const k6 = findK6();
if (!k6) {
  console.log(
    'k6 is not installed; skipping the k6 scenarios (tools/k6). Install it (https://grafana.com/docs/k6/latest/set-up/install-k6/) ' +
      'and run again, or use `npm run bench`, which covers the same scenarios.',
  );
  process.exit(0);
}

const baseUrl = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
let failed = 0;
for (const name of chosen.length ? chosen : SCENARIOS) {
  console.log(`\n=== k6 ${name} against ${baseUrl}`);
  const result = spawnSync(k6, ['run', '--quiet', join(here, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, BASE_URL: baseUrl },
  });
  if (result.status !== 0) {
    failed++;
    console.log(`k6 ${name}: thresholds not met or run failed (exit ${result.status})`);
  }
}
process.exit(failed ? 1 : 0);

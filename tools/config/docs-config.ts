// `npm run docs:config`: rewrites README.md's configuration table from the variables the API,
// the grader and the tools declare (libs/contracts/src/lib/config, tools/config/tools.env.ts).
// `--check` only reports whether the README is current (exit 1 when it is not).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withGeneratedTable } from './config-table.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

const current = await readFile(README, 'utf8');
const generated = withGeneratedTable(current);
if (process.argv.includes('--check')) {
  if (generated !== current) {
    console.error('README.md: the configuration table is out of date; run `npm run docs:config`');
    process.exit(1);
  }
  console.log('README.md: the configuration table is current');
} else if (generated === current) {
  console.log('README.md: the configuration table was already current');
} else {
  await writeFile(README, generated);
  console.log('README.md: configuration table regenerated');
}

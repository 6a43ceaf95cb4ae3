// The README's configuration table is generated from the declared variables, and the
// declarations match what the tools really read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { API_ENV, GRADER_ENV } from '@koodi/contracts';
import { collectVariables, renderConfigTable, withGeneratedTable } from './config-table.ts';
import { TOOLS_ENV } from './tools.env.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

/** Set by the machine, not by Koodi's operators. */
const AMBIENT = new Set(['PATH', 'HOME', 'CI']);

describe('configuration table', () => {
  it('in README.md is the one generated from the declarations (run `npm run docs:config`)', () => {
    const readme = read('README.md');
    assert.equal(withGeneratedTable(readme), readme);
  });

  it('merges a variable several projects read, giving differing defaults per project', () => {
    const sut = renderConfigTable(
      collectVariables([
        {
          usedBy: 'api',
          variables: { OPS_PORT: { description: 'ops port', secret: false, default: '9100' } },
        },
        {
          usedBy: 'grader',
          variables: { OPS_PORT: { description: 'ops port', secret: false, default: '9200' } },
        },
        {
          usedBy: 'tools',
          variables: {
            DB: { description: 'the database', secret: true, defaultText: 'a local one' },
          },
        },
        { usedBy: 'api', variables: { DB: { description: 'the database', secret: true } } },
        { usedBy: 'web', variables: { SEP: { description: 'a | b', secret: false, default: '' } } },
      ]),
    );
    assert.deepEqual(sut.split('\n').slice(2), [
      '| `OPS_PORT` | api, grader | `9100` (api); `9200` (grader) | no | ops port |',
      '| `DB` | tools, api | a local one (tools); required (api) | yes | the database |',
      '| `SEP` | web | empty | no | a \\| b |',
    ]);
  });

  for (const [readme, variables] of [
    ['apps/api/README.md', API_ENV],
    ['apps/grader/README.md', GRADER_ENV],
  ] as const) {
    it(`${readme} describes exactly the variables its app declares`, () => {
      const section = read(readme).split('\n## Configuration')[1]?.split('\n## ')[0] ?? '';
      const listed = [...section.matchAll(/^\| `([A-Z_][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
      assert.deepEqual(listed.slice().sort(), Object.keys(variables).sort());
    });
  }

  it('names every variable the tools and test setups read from process.env', () => {
    const declared = new Set([
      ...Object.keys(API_ENV),
      ...Object.keys(GRADER_ENV),
      ...Object.keys(TOOLS_ENV),
    ]);
    const scanned = tracked.filter(
      (path) =>
        /\.(ts|mts|mjs)$/.test(path) &&
        !/\.spec\.ts$/.test(path) &&
        (/^tools\//.test(path) ||
          /^apps\/web\/(e2e\/|playwright\.config|astro\.config)/.test(path) ||
          /^apps\/grader\/src\/test\//.test(path)),
    );
    const undeclared: string[] = [];
    for (const path of scanned) {
      // Reads only: `process.env.X = …` hands a value to a child process.
      for (const match of read(path).matchAll(
        /process\.env(?:\.([A-Z_][A-Z0-9_]*)\b|\[['"]([A-Z_][A-Z0-9_]*)['"]\])(?!\s*=[^=])/g,
      )) {
        const name = match[1] ?? match[2];
        if (!declared.has(name) && !AMBIENT.has(name)) undeclared.push(`${name} in ${path}`);
      }
    }
    assert.deepEqual(undeclared, [], 'declare these in tools/config/tools.env.ts');
  });

  it('declares no tool variable that nothing reads', () => {
    const sources = tracked
      .filter(
        (path) =>
          /\.(ts|mts|mjs|ya?ml)$/.test(path) &&
          !path.startsWith('tools/config/') &&
          !path.startsWith('libs/contracts/'),
      )
      .map(read)
      .join('\n');
    const unread = Object.keys(TOOLS_ENV).filter(
      (name) => !new RegExp(`\\b${name}\\b`).test(sources),
    );
    assert.deepEqual(unread, []);
  });
});

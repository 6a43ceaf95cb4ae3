// The repository stands on its own: no file points at documents outside it, every relative link
// in the Markdown resolves to a file here, and the threat catalogue in docs/SECURITY.md names
// tests that exist.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(new URL('../../', import.meta.url).pathname);
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path && existsSync(join(ROOT, path)));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const isText = (path: string) =>
  !/\.(png|jpe?g|gif|webp|ico|woff2?|ttf|pdf|gz|br|zip)$/i.test(path);

// Built from parts, so this file does not trip its own check.
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(['shared', '/'].join('')), 'a path into a folder outside the repository'],
  [
    new RegExp(`\\b${['HOS', 'TILE'].join('')}\\b`),
    'the old name of the threat catalogue (say "docs/SECURITY.md case N")',
  ],
  [
    new RegExp(`(?<![\\w-])${'PERF'}\\.md`),
    'a document outside the repository (docs/PERFORMANCE.md has the targets)',
  ],
  [
    new RegExp(`(?<![\\w-])${'DESIGN'}\\.md`),
    'a document outside the repository (docs/ARCHITECTURE.md has the design)',
  ],
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The Markdown without fenced blocks and code spans, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = read(path).replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

describe('references', () => {
  it('no tracked file points outside the repository', () => {
    const found: string[] = [];
    for (const path of tracked.filter(isText)) {
      const lines = read(path).split('\n');
      lines.forEach((line, index) => {
        for (const [pattern, why] of FORBIDDEN) {
          if (pattern.test(line))
            found.push(`${path}:${index + 1}: ${why}: ${line.trim().slice(0, 120)}`);
        }
      });
    }
    assert.deepEqual(found, []);
  });

  it('every relative Markdown link resolves to a file or heading inside the repository', () => {
    const trackedSet = new Set(tracked);
    const folders = new Set(
      tracked.flatMap((path) =>
        path
          .split('/')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const broken: string[] = [];
    for (const path of tracked.filter((p) => p.endsWith('.md'))) {
      for (const [, target] of prose(read(path)).matchAll(
        /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
      )) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const resolved =
          file === ''
            ? path
            : relative(ROOT, resolve(ROOT, dirname(path), decodeURIComponent(file)));
        if (resolved.startsWith('..') || file.startsWith('/')) {
          broken.push(`${path}: ${target} leaves the repository`);
        } else if (!trackedSet.has(resolved) && !folders.has(resolved.replace(/\/$/, ''))) {
          broken.push(`${path}: ${target} is not a file in the repository`);
        } else if (
          anchor &&
          resolved.endsWith('.md') &&
          statSync(join(ROOT, resolved)).isFile() &&
          !anchorsOf(resolved).has(anchor)
        ) {
          broken.push(`${path}: ${target} names no heading of ${resolved}`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('docs/SECURITY.md lists cases 1–30, each with test files and test names that exist', () => {
    const security = read('docs/SECURITY.md');
    const start = security.indexOf('\n## Where each hostile case is tested');
    assert.ok(start >= 0, 'the catalogue section is missing');
    const next = security.indexOf('\n## ', start + 1);
    const section = security.slice(start, next < 0 ? undefined : next);

    const problems: string[] = [];
    const cases: number[] = [];
    for (const subsection of section.split(/\n(?=### )/)) {
      // A row without a file of its own names tests of the file the subsection's text names.
      const intro = subsection.split('\n|')[0];
      const defaultFile = /`([\w./-]+\.(?:ts|mts))`/.exec(intro)?.[1];
      for (const row of subsection.split('\n').filter((line) => /^\| \d+ \|/.test(line))) {
        const cells = row.split(' | ');
        const number = Number(cells[0].replace('|', '').trim());
        cases.push(number);
        const tokens = [...cells.at(-1)!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
        const files = tokens.filter((t) => /^[\w.-]+\/[\w./-]+\.(?:ts|mts)$/.test(t));
        for (const file of files)
          if (!tracked.includes(file)) problems.push(`case ${number}: ${file} does not exist`);
        const searched = files.length > 0 ? files : defaultFile ? [defaultFile] : [];
        if (searched.length === 0) problems.push(`case ${number}: names no test file`);
        // `${…}` in a test's name stands for what the catalogue writes as "…".
        const sources = searched
          .filter((f) => tracked.includes(f))
          .map((f) => read(f).replace(/\$\{[^}]*\}/g, '…'));
        for (const name of tokens.filter((t) => !files.includes(t))) {
          const parts = name
            .split('…')
            .map((p) => p.trim())
            .filter(Boolean);
          if (!parts.every((part) => sources.some((source) => source.includes(part)))) {
            problems.push(`case ${number}: no test named "${name}" in ${searched.join(', ')}`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(
      cases
        .slice()
        .sort((a, b) => a - b)
        .filter((n) => n <= 30),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });
});

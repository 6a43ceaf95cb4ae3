import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { solutionOf } from './content.ts';

const e2eDir = fileURLToPath(new URL('../', import.meta.url));

describe(solutionOf.name, () => {
  it("reads the slug's own folder, not one whose slug merely starts the same", () => {
    const sut = solutionOf('hello');
    assert.match(sut, /^def hello\(/m);
    assert.doesNotMatch(sut, /def hello_world/);
    assert.match(solutionOf('hello-world'), /^def hello_world\(/m);
  });

  it('refuses a slug with no content folder', () => {
    assert.throws(
      () => solutionOf('no-such-assignment'),
      /no content folder for no-such-assignment/,
    );
  });

  it('finds a solution for every assignment the end-to-end tests solve', () => {
    const slugs = new Set<string>();
    for (const file of readdirSync(e2eDir).filter((name) => name.endsWith('.e2e.ts'))) {
      const text = readFileSync(`${e2eDir}${file}`, 'utf8');
      for (const [, slug] of text.matchAll(/(?:solve|solutionOf)\('([a-z0-9-]+)'\)/g))
        slugs.add(slug);
    }
    assert.ok(slugs.has('hello'), 'the end-to-end tests solve hello');
    // A function assignment's solution defines a function; a program's reads its input.
    for (const slug of slugs)
      assert.match(solutionOf(slug), /^def \w+\(|\bsys\.stdin\b|\binput\(/m, slug);
  });
});

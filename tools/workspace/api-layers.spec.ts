// The API's layers hold: HTTP (Fastify) stays in controllers and the identity guard, and the
// feature folders of apps/api/src depend on each other without cycles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const SRC = resolve(new URL('../../apps/api/src', import.meta.url).pathname);

/** Production sources: specs and the test harness may boot Fastify however they like. */
const sources = (readdirSync(SRC, { recursive: true }) as string[])
  .map((path) => path.split(sep).join('/'))
  .filter(
    (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.mock.ts'),
  )
  .filter((path) => !path.startsWith('testing/'));

interface Import {
  from: string;
  typeOnly: boolean;
}

function importsOf(path: string): Import[] {
  const file = ts.createSourceFile(
    path,
    readFileSync(join(SRC, path), 'utf8'),
    ts.ScriptTarget.Latest,
    false,
  );
  const found: Import[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!named &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly)));
      found.push({ from: statement.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      found.push({ from: statement.moduleSpecifier.text, typeOnly: statement.isTypeOnly });
    }
  }
  return found;
}

const FASTIFY = /^(fastify|@fastify\/|@nestjs\/platform-fastify)/;
/** Where the HTTP framework may be seen: controllers, identity, the bootstrap, the HTTP plumbing. */
const MAY_IMPORT_FASTIFY = [
  /\.controller\.ts$/,
  /^identity\/identity\.(guard|decorators)\.ts$/,
  // The server's bootstrap: it creates the Fastify instance and installs its hooks.
  /^app\.factory\.ts$/,
  /^http\/http-hooks\.ts$/,
];

/** The top-level folder of a path under src, or "(root)" for app.module.ts and the like. */
const folderOf = (path: string) =>
  path.includes('/') ? path.slice(0, path.indexOf('/')) : '(root)';

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const path of sources) {
    const from = folderOf(path);
    for (const { from: specifier, typeOnly } of importsOf(path)) {
      // A type-only import carries no code and no provider: it cannot make a module cycle.
      if (typeOnly || !specifier.startsWith('.')) continue;
      const target = relative(SRC, resolve(SRC, dirname(path), specifier))
        .split(sep)
        .join('/');
      const to = folderOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, path);
    }
  }
  return graph;
}

/** One cycle as "a -> b -> a", or null. */
function findCycle(graph: Map<string, Map<string, string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open')
        return [...stack.slice(stack.indexOf(next)), next].join(' -> ');
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('apps/api layers', () => {
  it('imports Fastify only in controllers, the identity guard and decorators, and the bootstrap', () => {
    const importers = sources.filter((path) => importsOf(path).some((i) => FASTIFY.test(i.from)));
    assert.ok(
      importers.includes('assignments/assignments.controller.ts'),
      'the scan sees Fastify imports',
    );
    const outside = importers.filter(
      (path) => !MAY_IMPORT_FASTIFY.some((allowed) => allowed.test(path)),
    );
    assert.deepEqual(outside, [], 'services take a user id and input, and return data');
  });

  it('has no import cycle between the folders of apps/api/src', () => {
    const graph = folderGraph();
    assert.ok(
      graph.get('submissions')?.has('assignments'),
      'the scan sees imports between folders',
    );
    const cycle = findCycle(graph);
    const nodes = cycle?.split(' -> ') ?? [];
    const where = nodes.slice(1).map((to, i) => graph.get(nodes[i])!.get(to));
    assert.equal(
      cycle,
      null,
      `folders import each other in a cycle: ${cycle} (see ${where.join(', ')})`,
    );
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/x.ts']])],
      ['c', new Map([['a', 'c/x.ts']])],
    ]);
    assert.equal(findCycle(graph), 'a -> b -> c -> a');
    graph.get('c')!.delete('a');
    assert.equal(findCycle(graph), null);
  });
});

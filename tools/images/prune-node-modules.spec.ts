import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closure, packageNameOf, requiredPackages } from './prune-node-modules.ts';

describe('prune-node-modules', () => {
  it('names the package of a bare specifier and skips built-ins and relative paths', () => {
    assert.equal(packageNameOf('@nestjs/common/decorators'), '@nestjs/common');
    assert.equal(packageNameOf('rxjs/operators'), 'rxjs');
    assert.equal(packageNameOf('node:fs'), null);
    assert.equal(packageNameOf('fs'), null);
    assert.equal(packageNameOf('./local'), null);
  });

  it('finds require, dynamic import and static import in compiled and TypeScript sources', () => {
    const sut = requiredPackages(
      'const a = require("ioredis"); import("pg"); import { z } from \'zod\'; const b = require("./x"); require("node:path");',
    );
    assert.deepEqual([...sut].sort(), ['ioredis', 'pg', 'zod']);
  });

  it('keeps dependencies, installed peers and nested copies, and nothing else', () => {
    const packages = {
      'node_modules/typeorm': { dependencies: { debug: '^4' }, peerDependencies: { pg: '^8', mysql: '^2' } },
      'node_modules/debug': { dependencies: { ms: '^2' } },
      'node_modules/ms': {},
      'node_modules/pg': { dependencies: { 'pg-types': '^4' } },
      'node_modules/pg/node_modules/pg-types': {},
      'node_modules/pg-types': {},
      'node_modules/astro': { dependencies: { vite: '^7' } },
      'node_modules/vite': {},
    };
    const sut = closure(packages, ['typeorm']);
    assert.deepEqual([...sut].sort(), [
      'node_modules/debug',
      'node_modules/ms',
      'node_modules/pg',
      'node_modules/pg/node_modules/pg-types',
      'node_modules/typeorm',
    ]);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDir } from './replace-dir.ts';

describe(replaceDir.name, () => {
  it('replaces the served folder with the new build and leaves nothing else behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'koodi-replace-'));
    try {
      await mkdir(join(root, 'dist'));
      await writeFile(join(root, 'dist', 'old.html'), 'old');
      await mkdir(join(root, 'next'));
      await writeFile(join(root, 'next', 'index.html'), 'new');

      await replaceDir(join(root, 'next'), join(root, 'dist'));

      assert.deepEqual(await readdir(join(root, 'dist')), ['index.html']);
      assert.equal(await readFile(join(root, 'dist', 'index.html'), 'utf8'), 'new');
      assert.deepEqual(await readdir(root), ['dist']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('works for a first build and refuses a missing source', async () => {
    const root = await mkdtemp(join(tmpdir(), 'koodi-replace-'));
    try {
      await mkdir(join(root, 'next'));
      await replaceDir(join(root, 'next'), join(root, 'dist'));
      assert.deepEqual(await readdir(root), ['dist']);
      await assert.rejects(
        replaceDir(join(root, 'missing'), join(root, 'dist')),
        /nothing to publish/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

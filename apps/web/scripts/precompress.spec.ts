import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { precompress, shouldCompress } from './precompress.ts';

describe(precompress.name, () => {
  it('writes a gzip sibling that inflates to the original for text assets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koodi-precompress-'));
    try {
      await mkdir(join(dir, '_astro'));
      const css = 'body { color: red; }\n'.repeat(100);
      await writeFile(join(dir, '_astro', 'site.css'), css);
      await writeFile(join(dir, 'tiny.js'), 'x');
      await writeFile(join(dir, 'image.png'), Buffer.alloc(4096, 1));

      const sut = await precompress(dir);

      assert.equal(sut.files, 1);
      assert.equal(gunzipSync(await readFile(join(dir, '_astro', 'site.css.gz'))).toString(), css);
      await assert.rejects(access(join(dir, 'tiny.js.gz')));
      await assert.rejects(access(join(dir, 'image.png.gz')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe(shouldCompress.name, () => {
  it('takes text types above the size floor only', () => {
    assert.equal(shouldCompress('a/index.HTML', 5000), true);
    assert.equal(shouldCompress('a/index.html', 10), false);
    assert.equal(shouldCompress('a/font.woff2', 5000), false);
  });
});

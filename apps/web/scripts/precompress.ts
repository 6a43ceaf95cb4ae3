// Writes a .gz sibling beside every compressible text asset of the static build, so NGINX can
// answer with gzip_static instead of compressing on every request.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

export const COMPRESSIBLE_EXTENSIONS = new Set([
  '.html',
  '.css',
  '.js',
  '.mjs',
  '.json',
  '.svg',
  '.txt',
  '.xml',
  '.map',
  '.webmanifest',
]);
/** Below this a gzip body saves nothing worth a second file. */
export const MIN_BYTES = 256;

export function shouldCompress(path: string, size: number): boolean {
  return size >= MIN_BYTES && COMPRESSIBLE_EXTENSIONS.has(extname(path).toLowerCase());
}

export function gzip(content: Buffer): Buffer {
  return gzipSync(content, { level: constants.Z_BEST_COMPRESSION });
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

export interface PrecompressReport {
  files: number;
  bytesBefore: number;
  bytesAfter: number;
}

export async function precompress(dir: string): Promise<PrecompressReport> {
  const report: PrecompressReport = { files: 0, bytesBefore: 0, bytesAfter: 0 };
  for await (const path of filesUnder(dir)) {
    const { size } = await stat(path);
    if (!shouldCompress(path, size)) continue;
    const compressed = gzip(await readFile(path));
    if (compressed.length >= size) continue;
    await writeFile(`${path}.gz`, compressed);
    report.files += 1;
    report.bytesBefore += size;
    report.bytesAfter += compressed.length;
  }
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'dist');
  const report = await precompress(dir);
  console.log(
    `precompress: ${report.files} files, ${(report.bytesBefore / 1024).toFixed(1)} KiB → ${(report.bytesAfter / 1024).toFixed(1)} KiB gzip`,
  );
}

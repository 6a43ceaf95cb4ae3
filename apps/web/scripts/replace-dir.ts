// Puts a finished build in place of the served one with two renames, so NGINX (which serves
// apps/web/dist directly) never sees a half-written or empty folder while the site is rebuilt.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export async function replaceDir(source: string, target: string): Promise<void> {
  if (!existsSync(source)) throw new Error(`nothing to publish: ${source} does not exist`);
  const retired = `${source}.retired-${process.pid}`;
  if (existsSync(target)) await rename(target, retired);
  await rename(source, target);
  await rm(retired, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) {
    console.error('usage: node scripts/replace-dir.ts <built folder> <served folder>');
    process.exit(2);
  }
  await replaceDir(resolve(source), resolve(target));
}

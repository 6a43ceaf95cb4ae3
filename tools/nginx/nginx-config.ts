// Renders infra/nginx/nginx.dev.conf for the local stack and for tests.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const devTemplatePath = join(repoRoot, 'infra', 'nginx', 'nginx.dev.conf');
export const prodConfigPath = join(repoRoot, 'infra', 'nginx', 'nginx.prod.conf');

export interface DevNginxValues {
  listenPort: number;
  /** host:port of every API replica, e.g. 127.0.0.1:3101. */
  apiAddresses: readonly string[];
  /** Absolute path of the static build (apps/web/dist). */
  webRoot: string;
  /** Absolute folder for pid, logs and temporary files (.data/nginx). */
  prefix: string;
}

/** One `server` line of the api upstream, with the passive health check the template expects. */
export function upstreamLine(address: string): string {
  return `server ${address} max_fails=2 fail_timeout=5s;`;
}

export function renderDevNginxConfig(template: string, values: DevNginxValues): string {
  if (values.apiAddresses.length === 0) throw new Error('at least one API address is needed');
  const replacements: Record<string, string> = {
    listen_port: String(values.listenPort),
    api_upstreams: values.apiAddresses.map(upstreamLine).join('\n        '),
    web_root: values.webRoot,
    prefix: values.prefix,
  };
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (match, key: string) => {
    const value = replacements[key];
    if (value === undefined) throw new Error(`unknown placeholder ${match} in the NGINX template`);
    return value;
  });
  return rendered;
}

export async function readDevTemplate(): Promise<string> {
  return readFile(devTemplatePath, 'utf8');
}

/** NGINX creates its temporary folders but not their parent: make the prefix ready. */
export async function prepareNginxPrefix(prefix: string): Promise<void> {
  await mkdir(join(prefix, 'tmp'), { recursive: true });
}

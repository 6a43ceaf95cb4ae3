// infra/nginx/nginx.prod.conf, the web image's configuration, made runnable outside the image for
// the tests (the local stack renders nginx.dev.conf itself: tools/stack/stack.ts).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const prodConfigPath = join(repoRoot, 'infra', 'nginx', 'nginx.prod.conf');

/** One `server` line of the api upstream, with the passive health check the template expects. */
function upstreamLine(address: string): string {
  return `server ${address} max_fails=2 fail_timeout=5s;`;
}

export const tlsServerPath = join(repoRoot, 'infra', 'nginx', 'tls.compose.conf');
export const balancersPath = join(repoRoot, 'infra', 'nginx', 'balancers.conf');

export interface LocalProdNginxValues {
  /** Folder for the rendered files, pid, logs and temporary files. */
  dir: string;
  listenPort: number;
  apiAddresses: readonly string[];
  /** Absolute path of the static build; the image's path stays when not given (nginx -t only). */
  webRoot?: string;
  /** HTTPS as Compose configures it (infra/nginx/tls.compose.conf), on this port with these files. */
  tls?: { port: number; cert: string; key: string };
  /** geo entries for balancers.conf; the image's file (no balancer) when not given. */
  balancers?: string;
}

/**
 * infra/nginx/nginx.prod.conf made runnable outside the image, on 127.0.0.1: the files a
 * deployment mounts under /etc/nginx/koodi/ are written into `dir`, and the image's fixed paths
 * move there too. Every replaced line must be present, so a change of the production file that
 * this would silently skip fails instead.
 */
export async function renderLocalProdNginxConfig(values: LocalProdNginxValues): Promise<string> {
  const { dir } = values;
  await mkdir(join(dir, 'server.d'), { recursive: true });
  const replace = (text: string, needle: string, by: string): string => {
    if (!text.includes(needle)) throw new Error(`nginx.prod.conf no longer has: ${needle}`);
    return text.replaceAll(needle, by);
  };
  const upstream = join(dir, 'api-upstream.conf');
  await writeFile(upstream, values.apiAddresses.map(upstreamLine).join('\n') + '\n');
  const balancers = join(dir, 'balancers.conf');
  await writeFile(balancers, values.balancers ?? (await readFile(balancersPath, 'utf8')));
  if (values.tls) {
    let tls = await readFile(tlsServerPath, 'utf8');
    tls = replace(tls, 'listen 8443 ssl', `listen 127.0.0.1:${values.tls.port} ssl`);
    tls = replace(tls, '/etc/nginx/koodi/tls/cert.pem', values.tls.cert);
    tls = replace(tls, '/etc/nginx/koodi/tls/key.pem', values.tls.key);
    await writeFile(join(dir, 'server.d', 'tls.conf'), tls);
  }
  let config = await readFile(prodConfigPath, 'utf8');
  config = replace(config, 'worker_processes auto;', 'worker_processes 1;');
  // The pid file and temporary folders move into dir. First, so that no path written below
  // (dir may itself lie under /tmp) is caught by it.
  config = replace(config, ' /tmp/', ` ${dir}/`);
  config = replace(
    config,
    'access_log /dev/stdout koodi;',
    `access_log ${join(dir, 'access.log')} koodi;`,
  );
  config = replace(config, 'include /etc/nginx/koodi/api-upstream.conf;', `include ${upstream};`);
  config = replace(config, 'include /etc/nginx/koodi/balancers.conf;', `include ${balancers};`);
  config = replace(
    config,
    'include /etc/nginx/koodi/server.d/*.conf;',
    `include ${join(dir, 'server.d')}/*.conf;`,
  );
  config = replace(
    config,
    'listen 8080 reuseport;',
    `listen 127.0.0.1:${values.listenPort} reuseport;`,
  );
  if (values.webRoot)
    config = replace(config, 'root /usr/share/nginx/html;', `root ${values.webRoot};`);
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config);
  return file;
}

/**
 * A self-signed certificate made the way an operator makes one, by running tools/images/secrets.ts
 * (another project: run, not imported) on `dir`. Returns the paths NGINX needs.
 */
export async function certificateFromSecretsTool(
  dir: string,
  names: readonly string[] = [],
): Promise<{ cert: string; key: string }> {
  await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'tools', 'images', 'secrets.ts'), dir, ...names],
    { timeout: 60_000 },
  );
  return { cert: join(dir, 'tls', 'cert.pem'), key: join(dir, 'tls', 'key.pem') };
}

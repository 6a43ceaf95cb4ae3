// The secrets infra/compose.yml reads: env files with passwords, and tls/ with the certificate
// NGINX serves HTTPS with (self-signed, made with Debian's openssl). Existing files are kept, so
// running it again never changes a password a database was created with, nor replaces a
// certificate an operator put there.
//   node tools/images/secrets.ts <folder> [host name or address …]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const random = (bytes: number) => randomBytes(bytes).toString('hex');
const run = promisify(execFile);

/** Names every self-signed certificate carries, besides the ones asked for. */
export const DEFAULT_TLS_NAMES = ['localhost', '127.0.0.1', '::1'];
const DNS_NAME =
  /^(?=.{1,253}$)(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export interface TlsFiles {
  cert: string;
  key: string;
  /** False when both files were already there (an operator's own, or an earlier run's). */
  created: boolean;
}

/** The subjectAltName of a certificate for these names; throws on a name that is neither. */
export function subjectAltName(names: readonly string[]): string {
  const bad = names.filter((name) => !isIP(name) && !DNS_NAME.test(name));
  if (bad.length > 0)
    throw new Error(
      `not a host name or address: ${bad.map((name) => JSON.stringify(name)).join(', ')}`,
    );
  return [...new Set(names)].map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

/**
 * tls/cert.pem and tls/key.pem: a self-signed ECDSA certificate for `names` (plus localhost and
 * this machine's name), valid 825 days, unless both files exist. NGINX in the web container runs
 * as an unprivileged user that must read the key, so the files are world-readable inside a
 * folder that the 0700 secrets folder around it keeps private on the host.
 */
export async function writeTlsCertificate(
  dir: string,
  names: readonly string[] = [],
): Promise<TlsFiles> {
  const tlsDir = join(dir, 'tls');
  const cert = join(tlsDir, 'cert.pem');
  const key = join(tlsDir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key, created: false };
  if (existsSync(cert) || existsSync(key)) {
    throw new Error(`${tlsDir} has only one of cert.pem and key.pem: add the other or remove both`);
  }
  // This machine's name too, when it is a valid one (a container's may not be).
  const here = [hostname()].filter((name) => DNS_NAME.test(name));
  const altNames = subjectAltName([...names, ...DEFAULT_TLS_NAMES, ...here]);
  await mkdir(tlsDir, { recursive: true, mode: 0o755 });
  try {
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '825',
        '-subj',
        `/CN=${names[0] ?? 'koodi'}`,
        '-addext',
        `subjectAltName=${altNames}`,
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { timeout: 30_000 },
    );
  } catch (error) {
    await rm(cert, { force: true });
    await rm(key, { force: true });
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed (Debian: apt-get install openssl); it makes the self-signed certificate'
        : `openssl could not make the certificate: ${(error as { stderr?: string }).stderr ?? String(error)}`,
      { cause: error },
    );
  }
  await chmod(cert, 0o644);
  await chmod(key, 0o644);
  return { cert, key, created: true };
}

export async function writeSecrets(dir: string, tlsNames: readonly string[] = []): Promise<void> {
  // Checked first, so a bad name leaves nothing half-written.
  subjectAltName(tlsNames);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const postgresFile = join(dir, 'postgres.env');
  if (!existsSync(postgresFile)) {
    const password = random(24);
    await writeFile(postgresFile, `POSTGRES_PASSWORD=${password}\nFLYWAY_PASSWORD=${password}\n`, {
      mode: 0o600,
    });
  }
  const password = /^POSTGRES_PASSWORD=(.*)$/m.exec(await readFile(postgresFile, 'utf8'))?.[1];
  if (!password) throw new Error(`${postgresFile} has no POSTGRES_PASSWORD`);
  const databaseFile = join(dir, 'database.env');
  if (!existsSync(databaseFile)) {
    await writeFile(
      databaseFile,
      `DATABASE_URL=postgres://koodi:${password}@postgres:5432/koodi\n`,
      { mode: 0o600 },
    );
  }
  const cookieFile = join(dir, 'cookie.env');
  if (!existsSync(cookieFile))
    await writeFile(cookieFile, `COOKIE_SECRET=${random(32)}\n`, { mode: 0o600 });
  await writeTlsCertificate(dir, tlsNames);
}

if (import.meta.main) {
  const [dir, ...names] = process.argv.slice(2);
  if (!dir) {
    console.error(
      'usage: node tools/images/secrets.ts <folder> [host name or address …]   (e.g. infra/secrets koodi.lan)',
    );
    process.exit(2);
  }
  try {
    await writeSecrets(dir, names);
  } catch (error) {
    console.error(`secrets: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(
    `secrets in ${dir}: postgres.env, database.env, cookie.env, tls/cert.pem, tls/key.pem`,
  );
}

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subjectAltName, writeSecrets, writeTlsCertificate } from './secrets.ts';

describe(writeSecrets.name, () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'koodi-secrets-'));
    dirs.push(dir);
    return join(dir, 'secrets');
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes the env files and a self-signed certificate for the names asked, and its key', async () => {
    const dir = await scratch();
    await writeSecrets(dir, ['koodi.lan', '192.168.1.20']);
    for (const file of ['postgres.env', 'database.env', 'cookie.env']) {
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
    }
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const cert = new X509Certificate(await readFile(join(dir, 'tls', 'cert.pem')));
    for (const name of [
      'DNS:koodi.lan',
      'IP Address:192.168.1.20',
      'DNS:localhost',
      'IP Address:127.0.0.1',
    ]) {
      assert.ok(cert.subjectAltName?.includes(name), `${name} in ${cert.subjectAltName}`);
    }
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(dir, 'tls', 'key.pem')))));
    assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 24 * 3600 * 1000);
  });

  it('keeps every existing file on a rerun, an operator’s certificate included', async () => {
    const dir = await scratch();
    await writeSecrets(dir);
    const before = await Promise.all(
      ['postgres.env', 'cookie.env', 'tls/cert.pem', 'tls/key.pem'].map((file) =>
        readFile(join(dir, file), 'utf8'),
      ),
    );
    await writeSecrets(dir, ['other.example']);
    const afterRerun = await Promise.all(
      ['postgres.env', 'cookie.env', 'tls/cert.pem', 'tls/key.pem'].map((file) =>
        readFile(join(dir, file), 'utf8'),
      ),
    );
    assert.deepEqual(afterRerun, before);
    assert.equal((await writeTlsCertificate(dir)).created, false);
  });

  it('refuses a name that is neither a host name nor an address, writing nothing', async () => {
    const dir = await scratch();
    await assert.rejects(
      writeSecrets(dir, ['koodi.lan', 'bad name,DNS:evil.example']),
      /not a host name or address/,
    );
    assert.equal(existsSync(dir), false);
    assert.throws(() => subjectAltName(['-oops']), /not a host name/);
  });
});

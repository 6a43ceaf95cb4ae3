import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvCatalogue } from '@koodi/contracts';
import { ConfigError } from './config.error';
import { EnvReader } from './env.reader';

const CATALOGUE = {
  PORT: { description: 'a port', secret: false, default: '8080' },
  KEY: { description: 'a key', secret: true },
  TOKEN_TTL: { description: 'a secret number', secret: true, default: '5' },
  URL: { description: 'a URL', secret: true },
  BIN: { description: 'a binary', secret: false, default: '/usr/bin/true' },
  LEVEL: { description: 'a log level', secret: false, default: 'info' },
  PROXY: { description: 'whom to trust', secret: false, default: 'loopback' },
} as const satisfies EnvCatalogue;

const reader = (env: Record<string, string | undefined>) => new EnvReader(CATALOGUE, env);

describe(EnvReader.name, () => {
  it('takes defaults from the declarations and treats blank as unset', () => {
    const sut = reader({ PORT: '  ', BIN: '' });
    assert.equal(sut.integer('PORT', 0, 65_535), 8080);
    assert.equal(sut.absolutePath('BIN'), '/usr/bin/true');
    assert.equal(sut.logLevel('LEVEL'), 'info');
    assert.equal(sut.booleanOrText('PROXY'), 'loopback');
    assert.deepEqual(sut.finish({ ok: true }), { ok: true });
  });

  it('trims values, but reads a key byte for byte', () => {
    const sut = reader({ PORT: ' 81 ', KEY: ' spaced key\n' });
    assert.equal(sut.integer('PORT', 0, 65_535), 81);
    assert.equal(sut.raw('KEY'), 'spaced key');
    assert.equal(sut.verbatim('KEY'), ' spaced key\n');
  });

  it('takes only plain decimal integers within range', () => {
    for (const bad of ['1e3', '0x10', '-1', '1.5', 'eighty', '65536']) {
      const sut = reader({ PORT: bad });
      assert.equal(sut.integer('PORT', 0, 65_535), 8080, bad);
      assert.throws(
        () => sut.finish({}),
        new RegExp(`PORT must be an integer from 0 to 65535, got "${bad}"`),
      );
    }
  });

  it('reads true, false or the text itself', () => {
    assert.equal(reader({ PROXY: 'true' }).booleanOrText('PROXY'), true);
    assert.equal(reader({ PROXY: 'false' }).booleanOrText('PROXY'), false);
    assert.equal(reader({ PROXY: '10.0.0.0/8' }).booleanOrText('PROXY'), '10.0.0.0/8');
  });

  it('reads the older log level names as pino ones, and refuses others', () => {
    assert.equal(reader({ LEVEL: 'verbose' }).logLevel('LEVEL'), 'trace');
    const sut = reader({ LEVEL: 'toString' });
    assert.equal(sut.logLevel('LEVEL'), 'info');
    assert.throws(
      () => sut.finish({}),
      /LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it('lists every problem at once, in one ConfigError', () => {
    const sut = reader({ PORT: 'x', BIN: 'relative', LEVEL: 'loud' });
    sut.integer('PORT', 0, 65_535);
    sut.url('URL', ['https:'], 'https://host');
    sut.absolutePath('BIN');
    sut.logLevel('LEVEL');
    sut.problem('something else');
    assert.throws(
      () => sut.finish({}, 'test configuration'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 5 &&
        error.message.startsWith('Invalid test configuration:\n  - PORT') &&
        error.problems.some((p) => p.startsWith('URL is required (e.g. https://host)')) &&
        error.problems.some((p) => p.startsWith('BIN must be an absolute path')) &&
        error.problems.includes('something else'),
    );
  });

  it('never repeats the value of a secret variable', () => {
    const sut = reader({ URL: 'ftp://user:hunter2@host', TOKEN_TTL: 'hunter2' });
    sut.url('URL', ['https:'], 'https://host');
    sut.integer('TOKEN_TTL', 0, 10);
    const error = (() => {
      try {
        sut.finish({});
      } catch (caught) {
        return caught as ConfigError;
      }
      return assert.fail('expected a ConfigError');
    })();
    assert.equal(error.problems.length, 2);
    assert.match(error.message, /URL must start with https:\/\//);
    assert.match(
      error.message,
      /TOKEN_TTL must be an integer from 0 to 10, got \(a secret value\)/,
    );
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('says which protocols a URL may have, and when it is no URL at all', () => {
    const sut = reader({ URL: 'not a url' });
    sut.url('URL', ['postgres:', 'postgresql:'], 'postgres://host/db');
    assert.throws(
      () => sut.finish({}),
      /URL is not a valid URL \(expected e\.g\. postgres:\/\/host\/db\)/,
    );
    const other = reader({ URL: 'mysql://host/db' });
    other.url('URL', ['postgres:', 'postgresql:'], 'postgres://host/db');
    assert.throws(() => other.finish({}), /URL must start with postgres:\/\/ or postgresql:\/\//);
  });
});

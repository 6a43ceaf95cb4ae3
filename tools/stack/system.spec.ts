import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, findPrograms, missingPackages } from './system.ts';
import { ensureServices, isStateRunning } from './services.ts';

describe('system program detection', () => {
  let bin: string;
  before(() => {
    bin = mkdtempSync(join(tmpdir(), 'koodi-bin-'));
    writeFileSync(join(bin, 'redis-server'), '#!/bin/sh\n');
    chmodSync(join(bin, 'redis-server'), 0o755);
    writeFileSync(join(bin, 'not-executable'), '');
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it('finds a program on the given PATH', () => {
    assert.equal(findProgram('redis-server', bin), join(bin, 'redis-server'));
  });

  it('reports a program that is missing', () => {
    assert.equal(findProgram('redis-server', '/nonexistent'), null);
  });

  it('names the Debian packages to install, once each', () => {
    const programs = [
      { name: 'postgres', debianPackage: 'postgresql', path: null },
      { name: 'initdb', debianPackage: 'postgresql', path: null },
      { name: 'bwrap', debianPackage: 'bubblewrap', path: null },
      { name: 'nginx', debianPackage: 'nginx', path: '/usr/sbin/nginx' },
    ];
    assert.deepEqual(missingPackages(programs), ['bubblewrap', 'postgresql']);
  });

  it('maps every program it looks for to a package', () => {
    for (const program of findPrograms(
      ['postgres', 'redis-server', 'nginx', 'bwrap', 'python3', 'chromium'],
      bin,
    )) {
      assert.ok(program.debianPackage.length > 0, program.name);
    }
  });
});

describe('running services detection', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sees services whose process is alive and whose port answers', async () => {
    const live = { pid: process.pid, port };
    assert.equal(await isStateRunning({ postgres: live, redis: live }), true);
  });

  it('sees no services when nothing was recorded', async () => {
    assert.equal(await isStateRunning(null), false);
  });

  it('does not trust a recorded process that has died', async () => {
    const dead = { pid: 2 ** 22 + 12345, port };
    assert.equal(
      await isStateRunning({ postgres: dead, redis: { pid: process.pid, port } }),
      false,
    );
  });

  it('does not trust a live process whose port is closed', async () => {
    const closed = { pid: process.pid, port: 1 };
    assert.equal(await isStateRunning({ postgres: closed, redis: closed }), false);
  });

  it('uses the servers named by DATABASE_URL and REDIS_URL without starting any', async () => {
    const saved = { db: process.env.DATABASE_URL, redis: process.env.REDIS_URL };
    process.env.DATABASE_URL = 'postgres://u@db.example:5432/koodi';
    process.env.REDIS_URL = 'redis://cache.example:6379';
    try {
      const sut = await ensureServices(() => undefined);
      assert.equal(sut.external, true);
      assert.equal(sut.started, false);
      assert.equal(sut.postgresServerUrl, 'postgres://u@db.example:5432/postgres');
      assert.equal(sut.redisUrl, 'redis://cache.example:6379');
    } finally {
      process.env.DATABASE_URL = saved.db;
      process.env.REDIS_URL = saved.redis;
    }
  });

  it('refuses half a configuration', async () => {
    const saved = { db: process.env.DATABASE_URL, redis: process.env.REDIS_URL };
    process.env.DATABASE_URL = 'postgres://u@db.example:5432/koodi';
    delete process.env.REDIS_URL;
    try {
      await assert.rejects(
        ensureServices(() => undefined),
        /set both DATABASE_URL and REDIS_URL/,
      );
    } finally {
      process.env.DATABASE_URL = saved.db;
      process.env.REDIS_URL = saved.redis;
    }
  });
});

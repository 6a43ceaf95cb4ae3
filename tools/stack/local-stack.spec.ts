import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunningStack, serviceEnv, writeStackState, type StackState } from './local-stack.ts';

const running: StackState = {
  pid: process.pid,
  url: 'http://localhost:8123',
  databaseUrl: 'postgres://postgres@127.0.0.1:5999/koodi',
  redisUrl: 'redis://127.0.0.1:6999/0',
  processes: { 'api-1': 1234 },
};

describe('serviceEnv: where content:sync and migrate find PostgreSQL and Redis', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'koodi-local-stack-'));
    file = join(dir, 'stack.json');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("uses the running npm start's database and Redis when neither variable is set", () => {
    writeStackState(running, file);
    const found = serviceEnv(['DATABASE_URL', 'REDIS_URL'], {}, file);
    assert.ok(found.ok);
    assert.equal(found.env.DATABASE_URL, running.databaseUrl);
    assert.equal(found.env.REDIS_URL, running.redisUrl);
    assert.match(found.source, new RegExp(`pid ${process.pid}`));
  });

  it('prefers the environment when the variables are set', () => {
    writeStackState(running, file);
    const env = { DATABASE_URL: 'postgres://elsewhere/db', REDIS_URL: 'redis://elsewhere' };
    const found = serviceEnv(['DATABASE_URL', 'REDIS_URL'], env, file);
    assert.ok(found.ok);
    assert.equal(found.env.DATABASE_URL, env.DATABASE_URL);
    assert.equal(found.source, 'the environment');
  });

  it('does not mix: one variable set and the other not is an error naming the missing one', () => {
    writeStackState(running, file);
    const result = serviceEnv(
      ['DATABASE_URL', 'REDIS_URL'],
      { DATABASE_URL: 'postgres://x/y' },
      file,
    );
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.length, 1);
    assert.match(result.problems[0], /^REDIS_URL is not set/);
  });

  it('says to run npm start when the recorded stack is gone (its process ended)', () => {
    // A pid far above pid_max cannot be alive.
    writeStackState({ ...running, pid: 2 ** 22 + 1 }, file);
    assert.equal(readRunningStack(file), null);
    const result = serviceEnv(['DATABASE_URL'], {}, file);
    assert.ok(!result.ok);
    assert.match(result.problems[0], /DATABASE_URL is not set and no Koodi is running/);
    assert.match(result.problems[0], /npm start/);
  });

  it('says to run npm start when nothing was ever recorded', () => {
    rmSync(file, { force: true });
    const result = serviceEnv(['DATABASE_URL', 'REDIS_URL'], {}, file);
    assert.ok(!result.ok);
    assert.match(result.problems[0], /DATABASE_URL and REDIS_URL are not set/);
  });
});

import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { isAlive, waitFor } from './processes.ts';
import { Supervisor, defaultBackoffMs, type SupervisedProcess } from './supervisor.ts';

/** A real process that stays up until killed (or exits at once with `exitCode`). */
function program(exitCode?: number): () => ChildProcess {
  const script =
    exitCode === undefined ? 'setInterval(() => {}, 1000)' : `process.exit(${exitCode})`;
  return () => spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

const alive = (child: ChildProcess) =>
  waitFor('child', async () => child.pid !== undefined && isAlive(child.pid), 5_000, child);

function spec(name: string, overrides: Partial<SupervisedProcess> = {}): SupervisedProcess {
  return { name, spawn: program(), ready: alive, stopGraceMs: 2_000, ...overrides };
}

describe('Supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
  });

  it('restarts a process that was killed, with a new pid and a log line; the others stay', async () => {
    const lines: string[] = [];
    supervisor = new Supervisor({ log: (line) => lines.push(line), backoffMs: () => 10 });
    const first = await supervisor.add(spec('worker-1'));
    const other = await supervisor.add(spec('worker-2'));

    first.kill('SIGKILL');
    await waitFor(
      'restart',
      async () =>
        supervisor!.restarts('worker-1') === 1 && supervisor!.state('worker-1') === 'running',
      5_000,
    );

    const second = supervisor.processes.get('worker-1')!;
    assert.notEqual(second.pid, first.pid);
    assert.ok(isAlive(second.pid));
    assert.equal(supervisor.processes.get('worker-2'), other, 'the other process was not touched');
    assert.ok(isAlive(other.pid));
    assert.ok(lines.some((line) => /^worker-1 exited unexpectedly \(signal SIGKILL\)/.test(line)));
    assert.ok(lines.includes(`worker-1 restarted (pid ${second.pid})`));
  });

  it('gives up on a crash loop, says so once, and keeps the others running', async () => {
    const loops: string[] = [];
    supervisor = new Supervisor({
      log: () => undefined,
      backoffMs: () => 10,
      crashLoop: { exits: 3, windowMs: 60_000 },
      onCrashLoop: (name, message) => loops.push(`${name}: ${message}`),
    });
    let starts = 0;
    const steady = await supervisor.add(spec('steady'));
    // Starts fine once, then every later start exits at once.
    await supervisor.add(
      spec('flaky', {
        spawn: () => (starts++ === 0 ? program()() : program(3)()),
        logFile: '/tmp/flaky.log',
      }),
    );
    supervisor.processes.get('flaky')!.kill('SIGKILL');
    await waitFor('give up', async () => supervisor!.state('flaky') === 'failed', 10_000);

    assert.equal(starts, 3, 'the first start and two restarts, then no more');
    assert.equal(loops.length, 1);
    assert.match(loops[0], /^flaky: flaky exited 3 times within 60 s/);
    assert.match(loops[0], /not restarting it \(see \/tmp\/flaky\.log\)/);
    assert.equal(supervisor.state('steady'), 'running');
    assert.ok(isAlive(steady.pid));
  });

  it('restarts nothing once stopped, and stops in the order given', async () => {
    supervisor = new Supervisor({ log: () => undefined, backoffMs: () => 10 });
    const stopped: string[] = [];
    for (const name of ['b', 'a', 'c'])
      await supervisor.add(spec(name, { afterExit: () => stopped.push(name) }));
    const children = [...supervisor.processes.values()];

    await supervisor.stop((x, y) => x.localeCompare(y));

    assert.deepEqual(stopped, ['a', 'b', 'c']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const child of children) assert.ok(!isAlive(child.pid));
    assert.deepEqual(
      [...supervisor.processes.values()].map((child) => child.pid),
      children.map((child) => child.pid),
      'no new process was started',
    );
  });

  it('throws when the first start fails, without retrying it', async () => {
    supervisor = new Supervisor({ log: () => undefined, backoffMs: () => 10 });
    let starts = 0;
    await assert.rejects(
      supervisor.add(
        spec('broken', {
          spawn: () => {
            starts++;
            return program(1)();
          },
          ready: (child) => waitFor('broken', async () => false, 5_000, child),
        }),
      ),
      /broken exited \(code 1\) while starting/,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(starts, 1);
  });

  it('backs off 0.25 s, 0.5 s, 1 s … up to 10 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map(defaultBackoffMs),
      [250, 500, 1000, 2000, 4000, 8000, 10_000],
    );
  });
});

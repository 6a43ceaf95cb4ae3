import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunView } from '@koodi/contracts';
import { ApiError } from './api-error.ts';
import { runHeadline, RunSession } from './run-session.svelte.ts';
import type { RunSessionDeps } from './run-session.svelte.ts';

const runView = (over: Partial<RunView> = {}): RunView => ({
  status: 'passed',
  verdict: 'passed',
  summary: 'All 1 tests passed.',
  tests: [{ name: 'Samples.test_hello', outcome: 'passed', message: '' }],
  output: 'Hello\n',
  outputTruncated: false,
  location: null,
  durationMs: 4,
  ...over,
});

function harness(
  answer: (code: string, stdin: string) => Promise<RunView> = async () => runView(),
) {
  let clock = 1_000_000;
  const calls: Array<{ assignmentId: string; code: string; stdin: string }> = [];
  const deps: RunSessionDeps = {
    api: {
      run: (assignmentId, code, stdin) => {
        calls.push({ assignmentId, code, stdin });
        return answer(code, stdin);
      },
    },
    now: () => clock,
  };
  return { deps, calls, advance: (ms: number) => (clock += ms) };
}

describe(RunSession.name, () => {
  it('runs the code with the stdin typed, and keeps the answer', async () => {
    const h = harness();
    const sut = new RunSession('a-1', h.deps);
    sut.stdin = 'Ada\n';

    assert.equal(await sut.run('print(input())'), true);

    assert.deepEqual(h.calls, [{ assignmentId: 'a-1', code: 'print(input())', stdin: 'Ada\n' }]);
    assert.equal(sut.result?.output, 'Hello\n');
    assert.equal(sut.running, false);
    assert.equal(sut.announcement, 'All 1 sample test passed.');
  });

  it('is running, and runs nothing more, until the answer comes', async () => {
    let release!: (view: RunView) => void;
    const h = harness(() => new Promise((resolve) => (release = resolve)));
    const sut = new RunSession('a-1', h.deps);

    const first = sut.run('x = 1');
    assert.equal(sut.running, true);
    assert.equal(sut.canRun, false);
    assert.equal(sut.announcement, 'Running your code…');
    assert.equal(await sut.run('x = 2'), false);
    release(runView());
    assert.equal(await first, true);
    assert.equal(h.calls.length, 1);
    assert.equal(sut.canRun, true);
  });

  it('asks for code instead of running an empty editor', async () => {
    const h = harness();
    const sut = new RunSession('a-1', h.deps);

    assert.equal(await sut.run('   \n'), false);
    assert.equal(h.calls.length, 0);
    assert.equal(sut.problem, 'Write some code before running it.');
  });

  it('waits out a 429, counting down, then clears the problem', async () => {
    const h = harness(async () => {
      throw new ApiError({
        status: 429,
        code: 'rate_limited',
        message: 'slow down',
        retryAfterSeconds: 3,
      });
    });
    const sut = new RunSession('a-1', h.deps);

    assert.equal(await sut.run('x = 1'), false);
    assert.match(sut.problem ?? '', /run it again in 3 seconds/);
    assert.equal(sut.canRun, false);
    h.advance(1_000);
    sut.tick();
    assert.equal(sut.retrySeconds, 2);
    assert.equal(await sut.run('x = 1'), false, 'nothing is sent while waiting');
    assert.equal(h.calls.length, 1);
    h.advance(2_000);
    sut.tick();
    assert.equal(sut.canRun, true);
    assert.equal(sut.problem, null, 'no stale "wait" message once the wait is over');
  });

  it('says a run could not be done now on a 503, keeping the last answer', async () => {
    let fail = false;
    const h = harness(async () => {
      if (fail)
        throw new ApiError({
          status: 503,
          code: 'run_unavailable',
          message: 'x',
          retryAfterSeconds: 5,
        });
      return runView();
    });
    const sut = new RunSession('a-1', h.deps);
    await sut.run('x = 1');
    fail = true;

    assert.equal(await sut.run('x = 2'), false);
    assert.match(
      sut.problem ?? '',
      /could not be run just now\. Try again in 5 seconds; submitting still works/,
    );
    assert.equal(sut.result?.output, 'Hello\n');
  });

  it('ignores an answer that comes after the page left', async () => {
    let release!: (view: RunView) => void;
    const h = harness(() => new Promise((resolve) => (release = resolve)));
    const sut = new RunSession('a-1', h.deps);
    const pending = sut.run('x = 1');
    sut.stop();
    release(runView());
    await pending;
    assert.equal(sut.result, null);
  });
});

describe('runHeadline', () => {
  it('counts the sample tests that passed', () => {
    assert.equal(runHeadline(runView()), 'All 1 sample test passed.');
    assert.equal(
      runHeadline(
        runView({
          status: 'failed',
          tests: [
            { name: 'a', outcome: 'passed', message: '' },
            { name: 'b', outcome: 'failed', message: 'no' },
          ],
        }),
      ),
      '1 of 2 sample tests passed.',
    );
  });

  it('says whether the code ran when there are no samples', () => {
    assert.equal(runHeadline(runView({ tests: [] })), 'Your code ran.');
    assert.equal(
      runHeadline(runView({ tests: [], status: 'failed', verdict: 'syntax_error' })),
      'Your code stopped with an error.',
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmissionHistoryItem, SubmissionStatus, SubmissionView } from '@koodi/contracts';
import type { SubmitResult } from './api-client.ts';
import { ApiError } from './api-error.ts';
import { isPending, READY_NOTICE_MS, SubmissionSession } from './submission-session.svelte.ts';
import type { SubmissionSessionDeps } from './submission-session.svelte.ts';
import { SUBMISSION_STATUS_SSE_EVENT as STATUS_EVENT } from '@koodi/contracts';
import type { EventStream } from './submission-watcher.ts';

const TITLES: Record<SubmissionStatus, string> = {
  queued: 'Waiting to be graded',
  grading: 'Grading…',
  passed: 'Solved — well done!',
  failed: 'Not yet — some tests failed',
  error: 'Grading failed on our side',
};

const view = (status: SubmissionStatus, over: Partial<SubmissionView> = {}): SubmissionView => ({
  id: 's-1',
  assignmentId: 'a-1',
  status,
  verdict: status === 'passed' ? 'passed' : status === 'error' ? 'internal_error' : null,
  summary: null,
  tests: [],
  output: '',
  outputTruncated: false,
  location: null,
  queuePosition: status === 'queued' ? 1 : null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  gradedAt: null,
  gradingMs: null,
  title: TITLES[status],
  detail: '',
  timing: null,
  ...over,
});

const item = (
  id: string,
  createdAt: string,
  status: SubmissionStatus = 'failed',
): SubmissionHistoryItem => ({
  id,
  status,
  verdict: null,
  summary: null,
  createdAt,
  label: status,
});

class FakeStream implements EventStream {
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  private readonly listeners: ((event: MessageEvent<string>) => void)[] = [];

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    if (type === STATUS_EVENT) this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
  }

  emit(data: SubmissionView): void {
    for (const listener of this.listeners)
      listener({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}

/** A fake API and watcher: answers are given per call, the stream is driven by the test. */
function harness(over: Partial<SubmissionSessionDeps['api']> = {}) {
  const streams: FakeStream[] = [];
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let nextTimer = 1;
  const calls = { submit: [] as string[], history: 0, settled: [] as SubmissionView[] };
  let clock = 1_000_000;
  let historyItems: SubmissionHistoryItem[] = [];
  const submissions = new Map<string, SubmissionView>();
  const deps: SubmissionSessionDeps = {
    api: {
      submit: async (_assignmentId, code): Promise<SubmitResult> => {
        calls.submit.push(code);
        return { view: view('queued'), deduplicated: false };
      },
      submission: async (id) => {
        const found = submissions.get(id);
        if (!found) throw new ApiError({ status: 404, code: 'not_found', message: 'gone' });
        return { ...found, code: `code of ${id}` };
      },
      history: async () => {
        calls.history += 1;
        return historyItems;
      },
      ...over,
    },
    watcher: {
      openStream: () => {
        const stream = new FakeStream();
        streams.push(stream);
        return stream;
      },
      fetchSubmission: (id) => deps.api.submission(id),
      // Timers run only when the test says so (runImmediate).
      setTimer: (fn, ms) => {
        const handle = nextTimer++;
        timers.set(handle, { fn, ms });
        return handle;
      },
      clearTimer: (handle) => timers.delete(handle as number),
    },
    now: () => clock,
    onSettled: (settled) => {
      calls.settled.push(settled);
    },
  };
  return {
    deps,
    streams,
    calls,
    submissions,
    setHistory: (items: SubmissionHistoryItem[]) => (historyItems = items),
    advance: (ms: number) => (clock += ms),
    /** Runs the timers due at once (the watcher's switch to polling). */
    runImmediate: () => {
      for (const [handle, timer] of [...timers]) {
        if (timer.ms !== 0) continue;
        timers.delete(handle);
        timer.fn();
      }
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe(isPending.name, () => {
  it('is true exactly for queued and grading', () => {
    for (const status of ['queued', 'grading'] as const) assert.equal(isPending(status), true);
    for (const status of ['passed', 'failed', 'error'] as const)
      assert.equal(isPending(status), false);
  });
});

describe(SubmissionSession.name, () => {
  it('follows a submission until its verdict, busy until then, and settles once', async () => {
    const h = harness();
    const sut = new SubmissionSession('a-1', h.deps);

    assert.equal(await sut.submit('print(1)'), true);
    assert.deepEqual(h.calls.submit, ['print(1)']);
    assert.equal(sut.current?.status, 'queued');
    assert.equal(sut.busy, true);
    assert.equal(sut.canSubmit, false);
    assert.equal(sut.announcement, 'Waiting to be graded');
    assert.equal(
      await sut.submit('print(2)'),
      false,
      'a second submit while one is on its way is refused',
    );
    assert.equal(h.calls.submit.length, 1);

    h.streams[0].emit(view('grading'));
    assert.equal(sut.current?.status, 'grading');
    assert.equal(sut.busy, true);

    h.streams[0].emit(view('passed', { detail: 'All 1 tests passed.' }));
    await flush();
    assert.equal(sut.current?.status, 'passed');
    assert.equal(sut.busy, false);
    assert.equal(sut.connection, null);
    assert.equal(h.streams[0].closed, true);
    assert.equal(h.calls.settled.length, 1);
    assert.equal(h.calls.history, 1, 'the earlier submissions are reloaded after a verdict');
  });

  it('shows the server’s words for an error instead of its own', async () => {
    const broken =
      'The tests of this assignment are broken; this is not your fault and will be looked at.';
    const h = harness({
      submit: async () => ({ view: view('error', { detail: broken }), deduplicated: true }),
    });
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.submit('print(1)');
    await flush();
    assert.equal(sut.current?.detail, broken);
    assert.equal(sut.announcement, 'Grading failed on our side');
    assert.equal(sut.busy, false);
    assert.equal(h.streams.length, 0, 'a final answer is not followed');
    assert.equal(h.calls.settled.length, 1);
  });

  it('refuses empty code without calling the API', async () => {
    const h = harness();
    const sut = new SubmissionSession('a-1', h.deps);
    assert.equal(await sut.submit('   \n'), false);
    assert.equal(h.calls.submit.length, 0);
    assert.equal(sut.problemText, 'Write some code before submitting.');
  });

  it('counts a rate limit down and holds submissions until it has passed', async () => {
    const h = harness({
      submit: async () => {
        throw new ApiError({
          status: 429,
          code: 'rate_limited',
          message: 'slow down',
          retryAfterSeconds: 30,
        });
      },
    });
    const sut = new SubmissionSession('a-1', h.deps);
    assert.equal(await sut.submit('print(1)'), false);
    assert.equal(sut.retrySeconds, 30);
    assert.equal(sut.canSubmit, false);
    assert.match(sut.problemText, /submit again in 30 seconds/);

    h.advance(12_000);
    sut.tick();
    assert.match(sut.problemText, /submit again in 18 seconds/);
    assert.equal(await sut.submit('print(1)'), false, 'still waiting: not sent');

    h.advance(18_000);
    sut.tick();
    assert.equal(sut.retrySeconds, 0);
    assert.equal(sut.canSubmit, true);
    assert.equal(sut.problemText, 'You can submit again now.');

    h.advance(READY_NOTICE_MS - 1000);
    sut.tick();
    assert.equal(sut.problemText, 'You can submit again now.', 'said for a few seconds');
    h.advance(1000);
    sut.tick();
    assert.equal(sut.problem, null, 'then the box goes');
    assert.equal(sut.problemText, '');
    assert.equal(sut.canSubmit, true);
  });

  it('uses the list already requested (by slug, with the assignment) instead of asking again', async () => {
    const h = harness();
    h.submissions.set('s-2', view('failed', { id: 's-2' }));
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.loadHistory(true, Promise.resolve([item('s-2', '2026-01-01T00:02:00.000Z')]));
    assert.equal(h.calls.history, 0);
    assert.deepEqual(
      sut.history.map((i) => i.id),
      ['s-2'],
    );
    assert.equal(sut.current?.id, 's-2');

    await sut.loadHistory(false, Promise.reject(new Error('offline')));
    assert.deepEqual(
      sut.history.map((i) => i.id),
      ['s-2'],
      'a failed list leaves the page as it was',
    );
  });

  it('lists the submission just made while it is queued, with its live status', async () => {
    const h = harness();
    h.setHistory([item('s-0', '2026-01-01T00:00:00.000Z')]);
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.loadHistory(false);
    assert.deepEqual(
      sut.historyShown.map((i) => i.id),
      ['s-0'],
    );

    await sut.submit('print(1)');
    assert.deepEqual(
      sut.historyShown.map((i) => [i.id, i.status, i.label]),
      [
        ['s-1', 'queued', 'Waiting to be graded'],
        ['s-0', 'failed', 'failed'],
      ],
    );
    h.streams[0].emit(view('grading'));
    assert.equal(sut.historyShown[0]?.label, 'Grading…');

    h.setHistory([item('s-1', '2026-01-01T00:01:00.000Z', 'passed'), ...sut.history]);
    h.streams[0].emit(view('passed'));
    await flush();
    assert.deepEqual(
      sut.historyShown.map((i) => [i.id, i.status]),
      [
        ['s-1', 'passed'],
        ['s-0', 'failed'],
      ],
      'the reloaded list once it is final',
    );
  });

  it('follows the submission already in flight when the API names it', async () => {
    const h = harness({
      submit: async () => {
        throw new ApiError({
          status: 409,
          code: 'in_flight',
          message: 'busy',
          details: { submissionId: 's-9' },
        });
      },
    });
    h.submissions.set('s-9', view('grading', { id: 's-9' }));
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.submit('print(1)');
    await flush();
    assert.match(sut.problemText, /already have a submission being graded/);
    assert.equal(sut.current?.id, 's-9');
    assert.equal(sut.currentIsEarlier, false);
    assert.equal(sut.busy, true);
    assert.equal(h.streams.length, 1);
  });

  it('restores the newest earlier submission as an earlier one, newest first in the list', async () => {
    const h = harness();
    h.setHistory([
      item('old', '2026-01-01T00:00:00.000Z'),
      item('new', '2026-01-02T00:00:00.000Z', 'passed'),
    ]);
    h.submissions.set('new', view('passed', { id: 'new' }));
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.loadHistory(true);
    assert.deepEqual(
      sut.history.map((i) => i.id),
      ['new', 'old'],
    );
    assert.equal(sut.current?.id, 'new');
    assert.equal(sut.currentIsEarlier, true);
    assert.equal(
      sut.current && 'code' in sut.current ? sut.current.code : null,
      'code of new',
      'with the code it was made of',
    );
    assert.equal(sut.announcement, '', 'an earlier result is not announced');
    assert.equal(sut.busy, false);
  });

  it('follows an earlier submission that is still pending, and is busy meanwhile', async () => {
    const h = harness();
    h.submissions.set('s-1', view('queued'));
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.show('s-1', true);
    assert.equal(sut.currentIsEarlier, false);
    assert.equal(sut.busy, true);
    assert.equal(h.streams.length, 1);
  });

  it('says so when the followed submission disappears', async () => {
    const h = harness();
    const sut = new SubmissionSession('a-1', h.deps);
    await sut.submit('print(1)');
    h.streams[0].onerror?.(new Event('error'));
    h.runImmediate();
    await flush();
    assert.equal(sut.current, null);
    assert.equal(sut.problemText, 'That submission could not be found any more.');
    assert.equal(sut.busy, false);
  });

  it('ignores answers that arrive after it was stopped', async () => {
    let answer: (value: SubmitResult) => void = () => undefined;
    const h = harness({ submit: () => new Promise<SubmitResult>((resolve) => (answer = resolve)) });
    const sut = new SubmissionSession('a-1', h.deps);
    const sent = sut.submit('print(1)');
    sut.stop();
    answer({ view: view('queued'), deduplicated: false });
    await sent;
    assert.equal(sut.current, null);
    assert.equal(h.streams.length, 0);
  });
});

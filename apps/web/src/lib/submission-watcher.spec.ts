import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoutes } from '@koodi/contracts';
import type { SubmissionStatus, SubmissionView } from '@koodi/contracts';
import { ApiError } from './api-error.ts';
import { SUBMISSION_STATUS_SSE_EVENT as STATUS_EVENT } from '@koodi/contracts';
import { MAX_STREAM_ATTEMPTS, watchSubmission } from './submission-watcher.ts';
import type { Connection, EventStream, WatcherDeps } from './submission-watcher.ts';

const view = (status: SubmissionStatus, id = 's-1'): SubmissionView => ({
  id,
  assignmentId: 'a-1',
  status,
  verdict: status === 'passed' ? 'passed' : null,
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
  title: status,
  detail: '',
  timing: null,
});

class FakeStream implements EventStream {
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  readonly url: string;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(url: string) {
    this.url = url;
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
  }

  emit(type: string, data: unknown): void {
    for (const listener of this.listeners.get(type) ?? [])
      listener({ data: JSON.stringify(data) } as MessageEvent<string>);
  }

  fail(): void {
    this.onerror?.(new Event('error'));
  }
}

/** Timers that run only when the test says so. */
function harness(answers: (() => Promise<SubmissionView>)[]) {
  const streams: FakeStream[] = [];
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let nextTimer = 1;
  let fetches = 0;
  const deps: WatcherDeps = {
    openStream: (url) => {
      const stream = new FakeStream(url);
      streams.push(stream);
      return stream;
    },
    fetchSubmission: () => {
      const answer = answers[Math.min(fetches, answers.length - 1)];
      fetches += 1;
      return answer ? answer() : Promise.reject(new Error('no answer'));
    },
    setTimer: (fn, ms) => {
      const handle = nextTimer++;
      timers.set(handle, { fn, ms });
      return handle;
    },
    clearTimer: (handle) => void timers.delete(handle as number),
  };
  const runTimers = async () => {
    const due = [...timers.entries()];
    timers.clear();
    for (const [, timer] of due) timer.fn();
    await flush();
  };
  return { deps, streams, timers, runTimers, fetches: () => fetches };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(watchSubmission.name, () => {
  it('follows the status events of the submission’s stream until a final one, then closes it', async () => {
    const h = harness([() => Promise.resolve(view('queued'))]);
    const seen: SubmissionStatus[] = [];

    watchSubmission('s-1', { onUpdate: (v) => seen.push(v.status) }, h.deps);
    const stream = h.streams[0]!;
    stream.emit(STATUS_EVENT, view('grading'));
    stream.emit(STATUS_EVENT, view('passed'));
    stream.emit(STATUS_EVENT, view('failed'));

    assert.equal(stream.url, apiRoutes.submissionEvents('s-1'));
    assert.deepEqual(seen, ['grading', 'passed']);
    assert.equal(stream.closed, true);
    assert.equal(h.timers.size, 0);
  });

  it('catches up once the stream opens, in case the verdict came before it subscribed', async () => {
    const h = harness([() => Promise.resolve(view('passed'))]);
    const seen: SubmissionStatus[] = [];

    watchSubmission('s-1', { onUpdate: (v) => seen.push(v.status) }, h.deps);
    h.streams[0]!.onopen?.(new Event('open'));
    await flush();

    assert.deepEqual(seen, ['passed']);
    assert.equal(h.streams[0]!.closed, true);
  });

  it('falls back to polling when the stream fails, and gets the verdict that way', async () => {
    const h = harness([
      () => Promise.resolve(view('grading')),
      () => Promise.resolve(view('failed')),
    ]);
    const seen: SubmissionStatus[] = [];
    const connections: Connection[] = [];

    watchSubmission(
      's-1',
      { onUpdate: (v) => seen.push(v.status), onConnection: (c) => connections.push(c) },
      h.deps,
    );
    for (let round = 0; round < 10 && !seen.includes('failed'); round++) {
      h.streams.at(-1)?.fail();
      await h.runTimers();
    }

    assert.deepEqual(seen, ['grading', 'failed']);
    assert.ok(connections.includes('polling'));
    assert.ok(h.streams.every((s) => s.closed));
  });

  it('stops reopening a failing stream after a few attempts and keeps polling', async () => {
    const h = harness([() => Promise.resolve(view('grading'))]);

    const sut = watchSubmission('s-1', { onUpdate: () => undefined }, h.deps);
    for (let round = 0; round < 10; round++) {
      h.streams.at(-1)?.fail();
      await h.runTimers();
    }

    assert.equal(h.streams.length, MAX_STREAM_ATTEMPTS);
    assert.ok(h.fetches() >= 8);
    sut.stop();
    assert.equal(h.timers.size, 0);
  });

  it('reports being offline while polls fail, and recovers', async () => {
    let online = false;
    const h = harness([
      () =>
        online
          ? Promise.resolve(view('passed'))
          : Promise.reject(new ApiError({ status: 0, code: 'network_error', message: 'offline' })),
    ]);
    const connections: Connection[] = [];
    const seen: SubmissionStatus[] = [];

    watchSubmission(
      's-1',
      { onUpdate: (v) => seen.push(v.status), onConnection: (c) => connections.push(c) },
      h.deps,
    );
    h.streams[0]!.fail();
    await h.runTimers();
    assert.equal(connections.at(-1), 'offline');

    online = true;
    await h.runTimers();
    assert.deepEqual(seen, ['passed']);
  });

  it('gives up on a submission the API does not know', async () => {
    const h = harness([
      () => Promise.reject(new ApiError({ status: 404, code: 'not_found', message: 'gone' })),
    ]);
    let gone = false;

    watchSubmission('s-1', { onUpdate: () => undefined, onGone: () => (gone = true) }, h.deps);
    h.streams[0]!.fail();
    await h.runTimers();

    assert.equal(gone, true);
    assert.equal(h.timers.size, 0);
  });

  it('ignores events about another submission and anything after stop()', async () => {
    const h = harness([() => Promise.resolve(view('queued'))]);
    const seen: string[] = [];

    const sut = watchSubmission('s-1', { onUpdate: (v) => seen.push(v.id) }, h.deps);
    h.streams[0]!.emit(STATUS_EVENT, view('grading', 's-2'));
    sut.stop();
    h.streams[0]!.emit(STATUS_EVENT, view('passed'));

    assert.deepEqual(seen, []);
    assert.equal(h.streams[0]!.closed, true);
  });
});

import { apiRoutes, isFinalStatus, SUBMISSION_STATUS_SSE_EVENT } from '@koodi/contracts';
import type { SubmissionView } from '@koodi/contracts';
import { ApiError } from './api-error.ts';

/** The part of EventSource the watcher uses. */
export interface EventStream {
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

/** How the page currently hears about the submission. */
export type Connection = 'live' | 'polling' | 'offline';

export interface WatcherDeps {
  openStream(url: string): EventStream;
  fetchSubmission(id: string): Promise<SubmissionView>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface WatchHandlers {
  onUpdate(view: SubmissionView): void;
  onConnection?(connection: Connection): void;
  /** The submission does not exist (or is not the caller's): watching stopped. */
  onGone?(): void;
}

export interface Watch {
  stop(): void;
  /** Check right away, e.g. when the browser comes back online. */
  poke(): void;
}

/** Streams opened per submission before the watcher settles for polling alone. */
export const MAX_STREAM_ATTEMPTS = 3;
export const POLL_MIN_MS = 500;
export const POLL_MAX_MS = 5000;
/** With the stream open but silent this long, ask once in case an event was missed. */
export const STREAM_QUIET_MS = 8000;

/**
 * Follows a submission until it is final: Server-Sent Events first, polling whenever the stream
 * fails (blocked, proxy trouble, network lost), and back to the stream once the network answers.
 */
export function watchSubmission(id: string, handlers: WatchHandlers, deps: WatcherDeps): Watch {
  let stopped = false;
  let stream: EventStream | null = null;
  let streamAttempts = 0;
  let timer: unknown = null;
  let pollDelay = POLL_MIN_MS;
  let connection: Connection | null = null;

  const setConnection = (next: Connection) => {
    if (next === connection || stopped) return;
    connection = next;
    handlers.onConnection?.(next);
  };

  const deliver = (view: SubmissionView) => {
    if (stopped || view.id !== id) return;
    handlers.onUpdate(view);
    if (isFinalStatus(view.status)) stop();
  };

  // checkOnce and poll catch their own failures: a rejection would have nowhere to go.
  const schedule = (fn: () => Promise<void>, ms: number) => {
    if (timer !== null) deps.clearTimer(timer);
    timer = deps.setTimer(() => {
      timer = null;
      void fn();
    }, ms);
  };

  const closeStream = () => {
    if (!stream) return;
    stream.onopen = null;
    stream.onerror = null;
    stream.close();
    stream = null;
  };

  const openStream = () => {
    streamAttempts += 1;
    const current = deps.openStream(apiRoutes.submissionEvents(id));
    stream = current;
    current.addEventListener(SUBMISSION_STATUS_SSE_EVENT, (event) => {
      if (stream !== current) return;
      setConnection('live');
      schedule(checkOnce, STREAM_QUIET_MS);
      const view = parseView(event.data);
      if (view) deliver(view);
    });
    current.onopen = () => {
      setConnection('live');
      // The verdict may have been published before this stream subscribed.
      void checkOnce();
    };
    current.onerror = () => {
      closeStream();
      if (stopped) return;
      setConnection('polling');
      schedule(poll, 0);
    };
    schedule(checkOnce, STREAM_QUIET_MS);
  };

  const checkOnce = async () => {
    try {
      deliver(await deps.fetchSubmission(id));
    } catch {
      // The stream or the next check will tell.
    }
    if (!stopped && stream) schedule(checkOnce, STREAM_QUIET_MS);
  };

  const poll = async () => {
    if (stopped) return;
    try {
      const view = await deps.fetchSubmission(id);
      if (stopped) return;
      setConnection('polling');
      pollDelay = POLL_MIN_MS;
      deliver(view);
      if (stopped) return;
      if (streamAttempts < MAX_STREAM_ATTEMPTS) {
        openStream();
        return;
      }
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 404) {
        stop();
        handlers.onGone?.();
        return;
      }
      setConnection('offline');
      pollDelay = Math.min(POLL_MAX_MS, pollDelay * 2);
    }
    schedule(poll, pollDelay);
  };

  function stop() {
    if (stopped) return;
    stopped = true;
    closeStream();
    if (timer !== null) deps.clearTimer(timer);
    timer = null;
  }

  openStream();

  return {
    stop,
    poke: () => {
      if (stopped) return;
      pollDelay = POLL_MIN_MS;
      if (stream) void checkOnce();
      else schedule(poll, 0);
    },
  };
}

function parseView(data: string): SubmissionView | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && 'status' in value
      ? (value as SubmissionView)
      : null;
  } catch {
    return null;
  }
}

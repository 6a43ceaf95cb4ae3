// Load generation on loopback with autocannon, and the small HTTP helpers the scenarios share.
import autocannon from 'autocannon';
import { median, percentile } from './stats.ts';

export interface ScenarioResult {
  scenario: string;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  note?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Called for each request to vary body and headers (distinct code, another user). */
  next?: () => { body?: string; headers?: Record<string, string> };
  expectStatus: number[];
}

/** One timed run; latency percentiles come from every response's own time, in milliseconds. */
export async function runLoad(options: LoadOptions): Promise<Omit<ScenarioResult, 'scenario'>> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const next = options.next;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      method: options.method ?? 'GET',
      headers: options.headers,
      requests: next
        ? [
            {
              setupRequest: (request) => {
                const { body, headers } = next();
                return { ...request, body, headers: { ...options.headers, ...headers } };
              },
            },
          ]
        : undefined,
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on(
    'response',
    (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    },
  );
  const result = await done;
  const total = latencies.length;
  const unexpected = Object.entries(statuses)
    .filter(([status]) => !options.expectStatus.includes(Number(status)))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: total,
    reqPerSec: total / options.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: result.errors + result.timeouts + unexpected,
    statuses,
  };
}

/** Runs a scenario `runs` times after a warm-up and reports the median run. */
export async function medianOfRuns(
  scenario: string,
  runs: number,
  warmUp: () => Promise<unknown>,
  once: () => Promise<Omit<ScenarioResult, 'scenario'>>,
): Promise<ScenarioResult & { runs: Array<Omit<ScenarioResult, 'scenario'>> }> {
  await warmUp();
  const all: Array<Omit<ScenarioResult, 'scenario'>> = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  const mid = [...all].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(all.length / 2)];
  return {
    scenario,
    ...mid,
    p50: median(all.map((r) => r.p50)),
    p99: median(all.map((r) => r.p99)),
    errors: all.reduce((sum, r) => sum + r.errors, 0),
    runs: all,
  };
}

/** Creates anonymous students: each GET /api/me without a cookie makes one. */
export async function createStudents(
  baseUrl: string,
  count: number,
  concurrency = 16,
): Promise<string[]> {
  const cookies: string[] = [];
  let remaining = count;
  async function worker() {
    while (remaining > 0) {
      remaining -= 1;
      const response = await fetch(`${baseUrl}/api/me`);
      const setCookie = response.headers.getSetCookie()[0];
      await response.arrayBuffer();
      if (!response.ok || !setCookie)
        throw new Error(`GET /api/me answered ${response.status} without a cookie`);
      cookies.push(setCookie.split(';')[0]);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return cookies;
}

/** Reads a Server-Sent Events stream until `done` says so; resolves with the last data. */
export async function readEventsUntil(
  url: string,
  cookie: string,
  done: (data: unknown) => boolean,
  timeoutMs = 30_000,
): Promise<unknown> {
  const response = await fetch(url, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const parsed = JSON.parse(data);
      if (done(parsed)) {
        await response.body.cancel().catch(() => undefined);
        return parsed;
      }
    }
  }
  throw new Error('the event stream ended before the final status');
}

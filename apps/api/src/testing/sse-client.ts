import { request } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
}

/** A small EventSource stand-in over node:http that records events and comments until the end. */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  readonly ended: Promise<void>;
  private readonly opened: Promise<void>;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private abort?: () => void;

  constructor(url: string, cookie: string | null) {
    let resolveOpened!: () => void;
    let rejectOpened!: (error: unknown) => void;
    this.opened = new Promise(
      (resolve, reject) => ((resolveOpened = resolve), (rejectOpened = reject)),
    );
    this.ended = new Promise((resolveEnded) => {
      const req = request(
        url,
        { headers: cookie ? { cookie, accept: 'text/event-stream' } : {} },
        (response) => {
          this.status = response.statusCode ?? 0;
          this.headers = response.headers;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => this.feed(chunk));
          response.on('close', () => {
            this.notify();
            resolveEnded();
          });
          resolveOpened();
        },
      );
      req.on('error', (error) => {
        rejectOpened(error);
        resolveEnded();
      });
      req.end();
      this.abort = () => req.destroy();
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  close(): void {
    this.abort?.();
  }

  /** Resolves once `predicate` holds, failing after `ms`. */
  async until(predicate: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`SSE: condition not met; events so far: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let index: number;
    while ((index = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, index);
      this.buffer = this.buffer.slice(index + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) this.events.push({ event, data: data.join('\n') });
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

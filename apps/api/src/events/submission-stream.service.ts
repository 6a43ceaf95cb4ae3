import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { isFinalStatus, SUBMISSION_STATUS_SSE_EVENT, type SubmissionView } from '@koodi/contracts';
import { SubmissionRepository } from '@koodi/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { SECURITY_HEADERS } from '../http/http-hooks';
import { SubmissionsService } from '../submissions/submissions.service';
import { SubmissionEvents } from './submission-events.service';

/** How often a queued submission's place is refreshed on an open stream. */
const POSITION_REFRESH_MS = 3_000;

interface OpenStream {
  close(comment: string): void;
}

/**
 * `GET /api/submissions/:id/events`: Server-Sent Events, one `status` event per change with the
 * SubmissionView, ending after the final one. The listener is registered before the current
 * state is read and sent, so a verdict committed in between is never missed.
 */
@Injectable()
export class SubmissionStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<OpenStream>();
  private closing = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly submissionsService: SubmissionsService,
    private readonly submissions: SubmissionRepository,
    private readonly events: SubmissionEvents,
  ) {}

  get size(): number {
    return this.open.size;
  }

  async stream(id: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const owned = await this.submissionsService.findOwned(id, request);
    if (this.closing) {
      reply.code(503).header('retry-after', '1').send({ error: { code: 'shutting_down', message: 'Reconnect in a moment.' } });
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    raw.write('retry: 2000\n\n');

    let ended = false;
    let lastSent = '';
    let chain: Promise<void> = Promise.resolve();
    const timers: NodeJS.Timeout[] = [];
    const stream: OpenStream = { close: (comment) => end(comment) };

    const end = (comment?: string) => {
      if (ended) return;
      ended = true;
      stopListening();
      for (const timer of timers) clearInterval(timer);
      this.open.delete(stream);
      if (!raw.destroyed) raw.end(comment ? `: ${comment}\n\n` : undefined);
    };
    const push = (view: SubmissionView) => {
      const data = JSON.stringify(view);
      if (ended || data === lastSent) return;
      lastSent = data;
      raw.write(`event: ${SUBMISSION_STATUS_SSE_EVENT}\ndata: ${data}\n\n`);
      if (isFinalStatus(view.status)) end();
    };
    const refresh = () => {
      chain = chain
        .then(async () => {
          if (ended) return;
          const row = await this.submissions.findById(owned.id);
          if (row) push(await this.submissionsService.view(row));
        })
        .catch((error) => request.log.warn({ err: error }, 'submission stream refresh failed'));
    };

    const stopListening = this.events.listen(owned.id, () => refresh());
    this.open.add(stream);
    raw.on('close', () => end());
    push(await this.submissionsService.view(owned));
    refresh();
    if (ended) return;
    // A heartbeat keeps proxies from closing an idle stream; the re-read also covers a missed event.
    timers.push(
      setInterval(() => {
        if (!ended) raw.write(': heartbeat\n\n');
        refresh();
      }, this.config.sseHeartbeatSeconds * 1000),
      setInterval(() => {
        if (lastSent.includes('"status":"queued"')) refresh();
      }, POSITION_REFRESH_MS),
    );
  }

  /** On SIGTERM: no new streams; open ones end with a comment, and EventSource reconnects elsewhere. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const stream of [...this.open]) stream.close('shutting down, reconnect');
  }
}

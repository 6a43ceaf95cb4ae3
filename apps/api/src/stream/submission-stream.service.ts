import { isDeepStrictEqual } from 'node:util';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type MessageEvent,
} from '@nestjs/common';
import { isFinalStatus, SUBMISSION_STATUS_SSE_EVENT, type SubmissionView } from '@koodi/contracts';
import { type SubmissionEntity, SubmissionRepository } from '@koodi/db';
import {
  catchError,
  concat,
  concatMap,
  connect,
  defer,
  distinctUntilChanged,
  EMPTY,
  endWith,
  filter,
  from,
  ignoreElements,
  interval,
  map,
  merge,
  Observable,
  of,
  ReplaySubject,
  takeUntil,
  takeWhile,
  tap,
} from 'rxjs';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { SubmissionEvents } from '../events/submission-events.service';
import { ApiError } from '../http/api-error';
import { SubmissionsService } from '../submissions/submissions.service';

/** How often a queued submission's place is refreshed on an open stream. */
export const POSITION_REFRESH_MS = 3_000;
/** How long an EventSource waits before reconnecting. */
const RECONNECT_MS = 2_000;
const HEARTBEAT: MessageEvent = { comment: 'heartbeat' };
const SHUTTING_DOWN: MessageEvent = { comment: 'shutting down, reconnect' };

/**
 * `GET /api/submissions/:id/events`: one `status` event per change with the SubmissionView,
 * completing after the final one. The row is read once for ownership and the first view; the
 * pub/sub listener is registered before the one re-read that follows, so a verdict committed in
 * between is never missed.
 */
@Injectable()
export class SubmissionStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SubmissionStreams.name);
  /** Replays to late subscribers: a stream opened just as shutdown began ends at once too. */
  private readonly shutdown$ = new ReplaySubject<void>(1);
  private closing = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly submissionsService: SubmissionsService,
    private readonly submissions: SubmissionRepository,
    private readonly events: SubmissionEvents,
  ) {}

  /** The owner's stream: 404 for anyone else's submission, 503 once shutdown has begun. */
  async open(userId: string | null, id: string): Promise<Observable<MessageEvent>> {
    const row = await this.submissionsService.findOwned(userId, id);
    if (this.closing) {
      throw new ApiError(503, 'shutting_down', 'Reconnect in a moment.', undefined, {
        'retry-after': '1',
      });
    }
    const status$ = this.views(row).pipe(
      map((view, index): MessageEvent => ({
        type: SUBMISSION_STATUS_SSE_EVENT,
        data: view,
        ...(index === 0 && { retry: RECONNECT_MS }),
      })),
    );
    return status$.pipe(
      // A heartbeat keeps proxies from closing an idle stream, until the last status.
      connect((statuses) =>
        merge(
          statuses,
          interval(this.heartbeatMs).pipe(
            map(() => HEARTBEAT),
            takeUntil(statuses.pipe(ignoreElements(), endWith(null))),
          ),
        ),
      ),
      takeUntil(this.shutdown$),
      // EventSource reconnects after the comment, to a replica that is not going away.
      (events) =>
        concat(
          events,
          defer(() => (this.closing ? of(SHUTTING_DOWN) : EMPTY)),
        ),
    );
  }

  /** The view of `first` now, then each time it changes, completing with the final one. */
  views(
    first: SubmissionEntity,
    positionRefreshMs = POSITION_REFRESH_MS,
  ): Observable<SubmissionView> {
    return defer(() => {
      let latest: SubmissionView | undefined;
      const changed$ = new Observable<void>((subscriber) =>
        this.events.listen(first.id, () => subscriber.next()),
      );
      const rereads$ = merge(
        changed$,
        // Also covers an event this replica missed.
        interval(this.heartbeatMs),
        interval(positionRefreshMs).pipe(filter(() => latest?.status === 'queued')),
        // Once listening: whatever was committed since the row was read.
        of(undefined),
      ).pipe(concatMap(() => this.reread(first.id)));
      return concat(from(this.submissionsService.view(first)), rereads$).pipe(
        distinctUntilChanged((a: SubmissionView, b: SubmissionView) => isDeepStrictEqual(a, b)),
        tap((view) => {
          latest = view;
        }),
        takeWhile((view) => !isFinalStatus(view.status), true),
      );
    });
  }

  /** On SIGTERM: no new streams; open ones end with a comment, and EventSource reconnects elsewhere. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    this.shutdown$.next();
  }

  private get heartbeatMs(): number {
    return this.config.sseHeartbeatSeconds * 1000;
  }

  private reread(id: string): Observable<SubmissionView> {
    return defer(async () => {
      const row = await this.submissions.findById(id);
      return row ? this.submissionsService.view(row) : null;
    }).pipe(
      filter((view): view is SubmissionView => view !== null),
      catchError((error: unknown) => {
        this.logger.warn(`submission stream refresh failed: ${String(error)}`);
        return EMPTY;
      }),
    );
  }
}

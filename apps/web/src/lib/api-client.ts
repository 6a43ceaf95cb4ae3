import { apiRoutes } from '@koodi/contracts';
import type {
  AssignmentDetail,
  AssignmentSummary,
  HintsView,
  MeResponse,
  RunView,
  SubmissionHistoryItem,
  SubmissionView,
  SubmissionWithCode,
} from '@koodi/contracts';
import { ApiError, NETWORK_ERROR_CODE, parseRetryAfter } from './api-error.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface SubmitResult {
  view: SubmissionView;
  /** True when the API answered from an identical earlier submission (200), false when queued (202). */
  deduplicated: boolean;
}

export interface ApiClient {
  me(): Promise<MeResponse>;
  assignments(): Promise<AssignmentSummary[]>;
  assignment(idOrSlug: string): Promise<AssignmentDetail>;
  submit(assignmentId: string, code: string): Promise<SubmitResult>;
  /** Runs the code against the visible samples: an answer, never a submission. */
  run(assignmentId: string, code: string, stdin: string): Promise<RunView>;
  /** The hints this student has revealed, and what stands before the next. */
  hints(assignmentId: string): Promise<HintsView>;
  /** Reveals hint `number` (the next one); asking again for a revealed one reveals no more. */
  revealHint(assignmentId: string, number: number): Promise<HintsView>;
  submission(id: string): Promise<SubmissionWithCode>;
  history(assignmentId: string): Promise<SubmissionHistoryItem[]>;
}

export function createApiClient(
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): ApiClient {
  async function request<T>(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetchImpl(path, {
        credentials: 'same-origin',
        ...init,
        headers: { accept: 'application/json', ...(init.headers ?? {}) },
      });
    } catch (cause) {
      throw new ApiError({
        status: 0,
        code: NETWORK_ERROR_CODE,
        message: cause instanceof Error ? cause.message : 'Network request failed',
      });
    }
    const body = await readJson(response);
    if (!response.ok) throw toApiError(response, body);
    return { status: response.status, body: body as T };
  }

  return {
    me: async () => (await request<MeResponse>(apiRoutes.me())).body,
    assignments: async () => (await request<AssignmentSummary[]>(apiRoutes.assignments())).body,
    assignment: async (idOrSlug) =>
      (await request<AssignmentDetail>(apiRoutes.assignment(idOrSlug))).body,
    submit: async (assignmentId, code) => {
      const { status, body } = await request<SubmissionView>(apiRoutes.submissions(assignmentId), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      return { view: body, deduplicated: status === 200 };
    },
    run: async (assignmentId, code, stdin) =>
      (
        await request<RunView>(apiRoutes.runs(assignmentId), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(stdin === '' ? { code } : { code, stdin }),
        })
      ).body,
    hints: async (assignmentId) => (await request<HintsView>(apiRoutes.hints(assignmentId))).body,
    revealHint: async (assignmentId, number) =>
      (
        await request<HintsView>(apiRoutes.hints(assignmentId), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ number }),
        })
      ).body,
    submission: async (id) => (await request<SubmissionWithCode>(apiRoutes.submission(id))).body,
    history: async (assignmentId) =>
      (await request<SubmissionHistoryItem[]>(apiRoutes.submissions(assignmentId))).body,
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  const error = isErrorBody(body) ? body.error : null;
  return new ApiError({
    status: response.status,
    code: error?.code ?? `http_${response.status}`,
    message: error?.message ?? response.statusText ?? `HTTP ${response.status}`,
    details: error?.details,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
  });
}

function isErrorBody(
  body: unknown,
): body is { error: { code?: string; message?: string; details?: unknown } } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { error?: unknown }).error === 'object'
  );
}

import { MAX_CODE_BYTES, submitCodeRequestSchema } from '@koodi/contracts';
import { ApiError } from '../http/api-error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** A submission as asked for: the code, and the client's key for retrying the same request. */
export interface SubmitInput {
  code: string;
  idempotencyKey: string | null;
}

/** The POST body and Idempotency-Key header as a SubmitInput, or a 400/413 saying what is wrong. */
export function parseSubmitInput(
  body: unknown,
  idempotencyKey: string | string[] | undefined,
): SubmitInput {
  return { code: parseCode(body), idempotencyKey: parseIdempotencyKey(idempotencyKey) };
}

/** The code of a POST body, or a 400/413 saying exactly what is wrong with it. */
export function parseCode(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest(
      'invalid_body',
      'The body must be a JSON object like {"code": "..."}.',
    );
  }
  const code = (body as { code?: unknown }).code;
  if (typeof code === 'string' && Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) {
    throw new ApiError(
      413,
      'code_too_large',
      `The code is larger than ${MAX_CODE_BYTES / 1024} KB.`,
    );
  }
  const parsed = submitCodeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = code === undefined ? 'code is required' : (issue?.message ?? 'invalid code');
    throw ApiError.badRequest(
      'invalid_submission',
      `${message.charAt(0).toUpperCase()}${message.slice(1)}.`,
    );
  }
  return parsed.data.code;
}

function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw ApiError.badRequest(
      'invalid_idempotency_key',
      'Idempotency-Key must be 1 to 200 visible ASCII characters.',
    );
  }
  return header;
}

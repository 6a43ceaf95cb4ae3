import { MAX_STDIN_BYTES, runCodeRequestSchema } from '@koodi/contracts';
import { ApiError } from '../http/api-error';
import { parseCode } from '../submissions/submission-input';

/** A Run as asked for: the code, and what the program reads on stdin (empty when none). */
export interface RunInput {
  code: string;
  stdin: string;
}

/** The POST body as a RunInput, or a 400/413 saying what is wrong, worded as for a submission. */
export function parseRunInput(body: unknown): RunInput {
  const code = parseCode(body);
  const stdin = (body as { stdin?: unknown }).stdin;
  if (typeof stdin === 'string' && Buffer.byteLength(stdin, 'utf8') > MAX_STDIN_BYTES) {
    throw new ApiError(
      413,
      'stdin_too_large',
      `The input is larger than ${MAX_STDIN_BYTES / 1024} KB.`,
    );
  }
  const parsed = runCodeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'invalid stdin';
    throw ApiError.badRequest(
      'invalid_run',
      `${message.charAt(0).toUpperCase()}${message.slice(1)}.`,
    );
  }
  return { code, stdin: parsed.data.stdin ?? '' };
}

import { MAX_HINTS } from '@koodi/contracts';
import { ApiError } from '../http/api-error';

/** The hint number a reveal asks for (absent: the next one), or a 400. */
export function parseHintNumber(body: unknown): number | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    throw ApiError.badRequest('invalid_hint', 'The body must be a JSON object.');
  const number = (body as { number?: unknown }).number;
  if (number === undefined) return undefined;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_HINTS)
    throw ApiError.badRequest(
      'invalid_hint',
      `number must be a whole number from 1 to ${MAX_HINTS}.`,
    );
  return number;
}

import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** About half a minute of retries: long enough for a Postgres restart or failover. */
export const DATABASE_RETRY: RetryPolicy = { attempts: 10, initialDelayMs: 100, maxDelayMs: 5_000 };

export const RETRY_POLICY = Symbol('RETRY_POLICY');

/**
 * Whether a database error may go away by itself: the connection was lost or refused, the
 * server is shutting down or starting, or it is out of resources. Errors in the statement
 * or the data (constraint violations, bad input) are permanent and never retried.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const driverError = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const { code, message } = (driverError ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // SQLSTATE classes: 08 connection, 53 resources, 57P0x shutdown/cannot connect, 40 serialization/deadlock.
    return /^(08|53|40)/.test(code) || /^57P0[1-4]$/.test(code);
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT …
  const text = typeof message === 'string' ? message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    text,
  );
}

/** Runs `work`, retrying transient failures with exponential backoff and jitter. */
export async function retryTransient<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void = () => undefined,
  isTransient: (error: unknown) => boolean = isTransientDatabaseError,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isTransient(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      onRetry(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

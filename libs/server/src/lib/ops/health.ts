import type { HealthCheckState, HealthResponse } from '@koodi/contracts';

/** A dependency check: resolves when the dependency answers. */
export type HealthProbe = () => Promise<unknown>;

export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/**
 * Runs every probe at once (each given {@link HEALTH_PROBE_TIMEOUT_MS}) and builds the one health
 * answer: `ok` only when all are up and the process is not draining.
 */
export async function checkHealth(
  probes: Readonly<Record<string, HealthProbe>>,
  options: { draining?: boolean; details?: HealthResponse['details'] } = {},
): Promise<HealthResponse> {
  const names = Object.keys(probes);
  const states = await Promise.all(names.map((name) => probe(probes[name])));
  const checks = Object.fromEntries(names.map((name, i) => [name, states[i]]));
  const ok = states.every((state) => state === 'up') && !options.draining;
  return {
    status: ok ? 'ok' : 'degraded',
    checks,
    ...(options.details && { details: options.details }),
  };
}

/** The HTTP status of a health answer. */
export function healthStatusCode(health: HealthResponse): 200 | 503 {
  return health.status === 'ok' ? 200 : 503;
}

async function probe(check: HealthProbe): Promise<HealthCheckState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), HEALTH_PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Largest accepted source, in bytes of UTF-8 (a constant of its own so the web app can check it without zod). */
export const MAX_CODE_BYTES = 64 * 1024;

/** Largest stdin a Run may give the program, in bytes of UTF-8 (it must fit one pipe buffer). */
export const MAX_STDIN_BYTES = 64 * 1024;

/** Resource limits for one grading run; an assignment may override any of them. */
export interface AssignmentLimits {
  /** CPU seconds for the whole test run. */
  cpuSeconds: number;
  /** Wall-clock seconds before the run is killed. */
  wallSeconds: number;
  /** Address-space limit in megabytes. */
  memoryMb: number;
  /** Combined stdout and stderr cap in kilobytes. */
  outputKb: number;
}

export const DEFAULT_LIMITS: AssignmentLimits = {
  cpuSeconds: 2,
  wallSeconds: 5,
  memoryMb: 256,
  outputKb: 64,
};

/** Upper bounds a content author may not exceed. */
export const MAX_LIMITS: AssignmentLimits = {
  cpuSeconds: 10,
  wallSeconds: 20,
  memoryMb: 1024,
  outputKb: 1024,
};

export function resolveLimits(
  overrides: Partial<AssignmentLimits> | null | undefined,
): AssignmentLimits {
  return { ...DEFAULT_LIMITS, ...(overrides ?? {}) };
}

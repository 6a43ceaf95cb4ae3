import { availableParallelism, hostname } from 'node:os';
import { GRADER_ENV } from '@koodi/contracts';
import { type Env, EnvReader, readServerConfig, type ServerConfig } from '@koodi/server';

/**
 * Everything the grader reads from its environment (declared in GRADER_ENV), parsed once at
 * boot by the shared reader of @koodi/server; the variables the API reads too are in ServerConfig.
 */
export interface GraderConfig extends ServerConfig {
  slots: number;
  runQueue: string;
  /** Sandboxes of their own for Runs; 0: this grader takes none. */
  runSlots: number;
  graderId: string;
  heartbeatTtlMs: number;
  sandboxBwrap: string;
  sandboxPython: string;
}

export const GRADER_CONFIG = Symbol('GRADER_CONFIG');

/** Reads and validates the environment, reporting every bad variable at once. */
export function loadGraderConfig(env: Env = process.env): GraderConfig {
  const read = new EnvReader(GRADER_ENV, env);
  const server = readServerConfig(read);

  const graderId = read.raw('GRADER_ID') ?? `${hostname()}-${process.pid}`;
  if (/[\s*?[\]]/.test(graderId)) {
    read.problem(
      `GRADER_ID must not contain spaces or glob characters (* ? [ ]), got "${graderId}"`,
    );
  }

  const config: GraderConfig = {
    ...server,
    slots: read.integer('GRADER_SLOTS', 1, 256, availableParallelism()),
    runSlots: read.integer('RUN_SLOTS', 0, 64),
    graderId,
    heartbeatTtlMs: read.integer('HEARTBEAT_TTL_MS', 300, 600_000),
    sandboxBwrap: read.absolutePath('SANDBOX_BWRAP'),
    sandboxPython: read.absolutePath('SANDBOX_PYTHON'),
  };
  return read.finish(config, 'grader configuration');
}

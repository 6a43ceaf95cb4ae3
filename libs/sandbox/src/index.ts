export { SandboxPool } from './lib/sandbox.pool';
export { SandboxCrashError } from './lib/sandbox-crash.error';
export type { SandboxJob, SandboxLogger, SandboxPoolOptions, SandboxPoolStats, SandboxResult } from './lib/sandbox.types';

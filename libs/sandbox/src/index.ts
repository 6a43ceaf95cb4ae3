export { SandboxPool } from './lib/sandbox.pool';
export { SandboxCrashError } from './lib/sandbox-crash.error';
export { MAX_FEEDBACK_TESTS, MAX_FEEDBACK_TEST_BYTES } from './lib/verdict.mapper';
export type {
  SandboxJob,
  SandboxLogger,
  SandboxPoolOptions,
  SandboxPoolStats,
  SandboxResult,
} from './lib/sandbox.types';

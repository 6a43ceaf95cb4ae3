import type { ZygoteEnd } from './zygote-protocol';

/** The zygote's report of a job that ran briefly and exited 0: what the mapper specs start from. */
export const CLEAN_EXIT: ZygoteEnd = {
  exitCode: 0,
  signal: null,
  cpuSeconds: 0.01,
  allCpuSeconds: 0.01,
  maxRssKb: 20000,
  wallMs: 3,
  outputBytes: 0,
  killed: null,
};

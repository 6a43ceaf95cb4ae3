/** Framing between the pool and the zygote; see the header of zygote.py. */

export interface JobHeader {
  /** Absent means `function`. */
  kind?: 'function' | 'program';
  payloadBytes: number;
  /**
   * The payload's first part, JSON `{ code, moduleName, stdin? }`; the rest is the tests as UTF-8,
   * or for a program JSON `{ cases: [{ name, stdin }] }`.
   */
  codeBytes: number;
  limits: {
    cpuSeconds: number;
    wallMs: number;
    memoryBytes: number;
    outputBytes: number;
    resultBytes: number;
    fileBytes: number;
    processes: number;
    openFiles: number;
  };
}

/** What the zygote reports when a job is over. */
export interface ZygoteEnd {
  exitCode: number | null;
  signal: number | null;
  /** CPU time of the job's main process and the children it waited for. */
  cpuSeconds: number;
  /** CPU time of every process of the job, including children nobody waited for. */
  allCpuSeconds: number;
  maxRssKb: number;
  wallMs: number;
  outputBytes: number;
  killed: null | 'wall' | 'output' | 'result';
  /**
   * What of the zygote's own state (rlimits, priority, scheduling, affinity, autogroup, OOM score,
   * dumpability, IPC objects) differed from its start-up snapshot after this job; absent when
   * nothing did. The zygote exits after such a job.
   */
  zygoteChanged?: string[];
}

export type FrameKind = 'Y' | 'O' | 'R' | 'D';

/**
 * The payload of one job. The submission and the tests are separate parts because the runner
 * forks the student's process before it reads the tests, so they never enter that process.
 */
export function encodePayload(
  code: string,
  moduleName: string,
  testCode: string,
  stdin?: string,
): { payload: Buffer; codeBytes: number } {
  const head = Buffer.from(
    JSON.stringify(stdin === undefined ? { code, moduleName } : { code, moduleName, stdin }),
    'utf8',
  );
  return { payload: Buffer.concat([head, Buffer.from(testCode, 'utf8')]), codeBytes: head.length };
}

export function encodeJob(header: JobHeader, payload: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(head.length, 0);
  return Buffer.concat([size, head, payload]);
}

/** Splits the zygote's output stream into frames (1 kind byte, u32 length, data). */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onFrame: (kind: FrameKind, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.pendingBytes < 5) return;
      let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      const length = buf.readUInt32BE(1);
      if (buf.length < 5 + length) {
        this.pending = [buf];
        return;
      }
      const kind = String.fromCharCode(buf[0]) as FrameKind;
      const data = buf.subarray(5, 5 + length);
      buf = buf.subarray(5 + length);
      this.pending = buf.length ? [buf] : [];
      this.pendingBytes = buf.length;
      this.onFrame(kind, data);
    }
  }
}

/**
 * An infrastructure fault (the sandbox died, the protocol broke, the watchdog fired): the job
 * says nothing about the submission, so the caller retries it and never shows it to the student.
 */
export class SandboxCrashError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxCrashError';
  }
}

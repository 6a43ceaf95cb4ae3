import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '@koodi/contracts';

/** Extra fields a log call may carry, e.g. `{ submissionId, msg }`. */
type Fields = Record<string, unknown> & { msg?: unknown };

/**
 * The grader's logs as one JSON object per line, the same shape as the API's (pino: `level`,
 * `time`, `pid`, `hostname`, `msg`, plus `context` and the ids of what the line is about), so one
 * log pipeline reads both apps.
 */
export class JsonLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  static create(
    level: LogLevel,
    fields: Record<string, unknown> = {},
    destination?: DestinationStream,
  ): JsonLogger {
    const logger = pino({ level }, destination ?? pino.destination({ dest: 1, sync: true }));
    return new JsonLogger(Object.keys(fields).length > 0 ? logger.child(fields) : logger);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest passes (message, stack, context) for errors; a lone extra argument is the context.
    const context = params.length > 1 ? params.at(-1) : params[0];
    const stack = params.length > 1 ? params[0] : undefined;
    this.write('error', message, context === undefined ? [] : [context], stack);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(
    level: Exclude<LogLevel, 'silent'>,
    message: unknown,
    params: unknown[],
    stack?: unknown,
  ): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const fields: Fields = {};
    if (context !== undefined) fields['context'] = context;
    if (typeof stack === 'string' && stack) fields['stack'] = stack;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      const { msg, ...rest } = message as Fields;
      this.pino[level]({ ...fields, ...rest }, msg === undefined ? '' : String(msg));
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

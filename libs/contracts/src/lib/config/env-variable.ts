/**
 * One environment variable a process reads: declared once, beside its siblings, so the loader
 * takes its default from here and the README's configuration table is generated from the same
 * entry (`npm run docs:config`).
 */
export interface EnvVariable {
  /** One line for the README: what it changes. */
  readonly description: string;
  /** Whether its value must be kept out of logs, images and the repository. */
  readonly secret: boolean;
  /** The value used when it is unset; absent when it is required or computed at start. */
  readonly default?: string;
  /** How the default reads in the README when it is not a literal (e.g. "number of cores"). */
  readonly defaultText?: string;
}

export type EnvCatalogue = Readonly<Record<string, EnvVariable>>;

/** Pino's levels, the one vocabulary of LOG_LEVEL in every app. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The grader used Nest's level names before it logged JSON; they still work, mapped to the
 * pino level that prints the same lines.
 */
export const LEGACY_LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  log: 'info',
  verbose: 'trace',
};

/** The pino level for a LOG_LEVEL value, or undefined when it is not one. */
export function parseLogLevel(value: string): LogLevel | undefined {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  return Object.hasOwn(LEGACY_LOG_LEVELS, value) ? LEGACY_LOG_LEVELS[value] : undefined;
}

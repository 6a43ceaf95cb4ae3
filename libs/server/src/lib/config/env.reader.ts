import { type EnvCatalogue, LOG_LEVELS, type LogLevel, parseLogLevel } from '@koodi/contracts';
import { ConfigError } from './config.error';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one parser of a process's environment. It reads only the names its catalogue declares
 * (so the README's table, generated from the same catalogue, cannot miss one), takes defaults
 * from the declarations, and collects every problem instead of stopping at the first; `finish`
 * throws them all in one ConfigError. A secret's value is never repeated in a message.
 */
export class EnvReader<C extends EnvCatalogue> {
  private readonly problems: string[] = [];

  constructor(
    private readonly catalogue: C,
    private readonly env: Env = process.env,
  ) {}

  /** The value as set, without surrounding blanks; undefined when unset or blank. */
  raw(name: Name<C>): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** The value exactly as set (a key, whose every byte counts); undefined when unset or empty. */
  verbatim(name: Name<C>): string | undefined {
    const value = this.env[name];
    return value === '' ? undefined : value;
  }

  /** The declared default, or '' when the variable has none. */
  fallback(name: Name<C>): string {
    return this.catalogue[name].default ?? '';
  }

  text(name: Name<C>): string {
    return this.raw(name) ?? this.fallback(name);
  }

  integer(name: Name<C>, min: number, max: number, fallback = Number(this.fallback(name))): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problem(
        `${name} must be an integer from ${min} to ${max}, got ${this.shown(name, value)}`,
      );
      return fallback;
    }
    return parsed;
  }

  /** A required URL with one of `protocols` (e.g. `['postgres:', 'postgresql:']`). */
  url(name: Name<C>, protocols: readonly string[], example: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problem(`${name} is required (e.g. ${example})`);
      return '';
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problem(`${name} is not a valid URL (expected e.g. ${example})`);
      return '';
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problem(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return value;
  }

  absolutePath(name: Name<C>): string {
    const value = this.text(name);
    if (!value.startsWith('/'))
      this.problem(`${name} must be an absolute path, got ${this.shown(name, value)}`);
    return value;
  }

  /** `true`, `false`, or the text itself (e.g. a list of addresses). */
  booleanOrText(name: Name<C>): boolean | string {
    const value = this.text(name);
    return value === 'true' ? true : value === 'false' ? false : value;
  }

  /** Pino's level names, and the older `log` and `verbose` (read as `info` and `trace`). */
  logLevel(name: Name<C>): LogLevel {
    const value = this.text(name);
    const level = parseLogLevel(value);
    if (level === undefined) {
      this.problem(
        `${name} must be one of ${LOG_LEVELS.join(', ')}, got ${this.shown(name, value)}`,
      );
    }
    return level ?? 'info';
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  /** The config, or one ConfigError listing every problem found while reading it. */
  finish<T>(config: T, what?: string): T {
    if (this.problems.length > 0) throw new ConfigError([...this.problems], what);
    return config;
  }

  private shown(name: Name<C>, value: string): string {
    return this.catalogue[name].secret ? '(a secret value)' : `"${value}"`;
  }
}

type Name<C extends EnvCatalogue> = Extract<keyof C, string>;

/** Every bad variable of one process, found at boot and reported together. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    what = 'configuration',
  ) {
    super(`Invalid ${what}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

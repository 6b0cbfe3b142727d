/** A setting is missing or malformed: the collector answers 503 with this text (no secret values in it). */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly problems: string[],
  ) {
    super(`${setting}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

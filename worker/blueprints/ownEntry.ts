/**
 * A blueprint lookup by a name that came from a message: own entries only, so a property called
 * "toString" or "constructor" never finds Object.prototype's.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

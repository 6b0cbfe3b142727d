/**
 * Browser storage never throws at the tag: Safari private mode, a full quota, disabled storage
 * or a sandboxed iframe make `quietly` return undefined instead, and the tag carries on in memory.
 */
export const quietly = <T>(action: () => T): T | undefined => {
  try {
    return action();
  } catch {
    return undefined;
  }
};

export const get = (key: string): string | null | undefined => quietly(() => localStorage.getItem(key));
export const set = (key: string, value: string): void => void quietly(() => localStorage.setItem(key, value));
export const del = (key: string): void => void quietly(() => localStorage.removeItem(key));
/** Keys starting with `prefix`. */
export const keys = (prefix: string): string[] => quietly(() => Object.keys(localStorage).filter((k) => k.startsWith(prefix))) || [];

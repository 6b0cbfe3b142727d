/**
 * localStorage that never throws: Safari private mode, full quotas, disabled storage and sandboxed
 * iframes all fall back to memory for this page, so the rest of the tag has one code path.
 */
const memory: Record<string, string> = {};

export function get(key: string): string | null {
  try {
    return memory[key] ?? localStorage.getItem(key);
  } catch {
    return memory[key] ?? null;
  }
}

export function set(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
    delete memory[key];
  } catch {
    memory[key] = value;
  }
}

export function del(key: string): void {
  delete memory[key];
  try {
    localStorage.removeItem(key);
  } catch {
    /* nothing stored there */
  }
}

/** Keys starting with `prefix`, from storage and the memory fallback. */
export function keys(prefix: string): string[] {
  const found = Object.keys(memory);
  try {
    for (let i = 0; i < localStorage.length; i++) found.push(localStorage.key(i) as string);
  } catch {
    /* memory only */
  }
  return found.filter((k) => k.startsWith(prefix));
}

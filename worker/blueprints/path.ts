/** Dotted paths into message data: `company.name`, `products.0.sku` (used by filters and trait mappings). */

export function splitPath(path: string): string[] {
  return path.split('.');
}

export function valueAt(root: unknown, path: readonly string[]): unknown {
  let here: unknown = root;
  for (const key of path) {
    if (here == null || typeof here !== 'object') return undefined;
    if (Array.isArray(here)) {
      if (!/^\d+$/.test(key)) return undefined;
      here = here[Number(key)];
    } else {
      if (!Object.hasOwn(here, key)) return undefined;
      here = (here as Record<string, unknown>)[key];
    }
  }
  return here;
}

/**
 * Removes the value at a path from a (cloned) object and returns it, pruning parents left empty,
 * so a trait mapped to a standard attribute is not sent a second time under its own name.
 */
export function takeAt(root: Record<string, unknown>, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(root, head)) return undefined;
  const value = root[head];
  if (rest.length === 0) {
    delete root[head];
    return value;
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const child = { ...(value as Record<string, unknown>) };
  const taken = takeAt(child, rest);
  if (taken === undefined) return undefined;
  if (Object.keys(child).length === 0) delete root[head];
  else root[head] = child;
  return taken;
}

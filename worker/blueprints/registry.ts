import type { z } from 'zod';
import { b2bSaas } from './presets/b2b-saas';
import { retail } from './presets/retail';
import { Blueprint, type EventRule, type GroupRule } from './schema';

/** A custom blueprint (or the set of them) is malformed; each problem names where and why. */
export class BlueprintError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'BlueprintError';
  }
}

export const PRESETS: Readonly<Record<string, Blueprint>> = {
  retail: Blueprint.parse(retail),
  'b2b-saas': Blueprint.parse(b2bSaas),
};

/** `events["Order Completed"].filter` — a zod issue path as a reader would write it. */
export function describePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

function issues(error: z.ZodError, where: string): string[] {
  return error.issues.map((issue) => {
    const at = describePath(issue.path);
    return `${where}${at === '(root)' ? '' : ` ${at}`}: ${issue.message}`;
  });
}

function mergeRule(base: EventRule | undefined, own: EventRule): EventRule {
  if (!base) return own;
  const merged: EventRule = { ...base, ...own };
  if (base.rename || own.rename) merged.rename = { ...base.rename, ...own.rename };
  if (base.traits || own.traits) merged.traits = { ...base.traits, ...own.traits };
  return merged;
}

function mergeGroup(base: GroupRule | undefined, own: GroupRule | undefined): GroupRule | undefined {
  if (!base || !own) return own ?? base;
  return { ...base, ...own, attributes: { ...base.attributes, ...own.attributes } };
}

/** `own` laid over `base` key by key: a custom blueprint states only what differs from its preset. */
function extend(base: Blueprint, own: Blueprint): Blueprint {
  const events: Record<string, EventRule> = { ...base.events };
  for (const [key, rule] of Object.entries(own.events)) events[key] = mergeRule(base.events[key], rule);
  const merged: Blueprint = {
    name: own.name,
    description: own.description ?? base.description,
    events,
    userAttributes: { ...base.userAttributes, ...own.userAttributes },
    otherTraits: own.otherTraits ?? base.otherTraits,
    group: mergeGroup(base.group, own.group),
  };
  for (const key of Object.keys(merged) as (keyof Blueprint)[]) if (merged[key] === undefined) delete merged[key];
  return merged;
}

/**
 * Blueprint definitions as found in a setting or file: JSON text or parsed JSON, one blueprint
 * object or an array of them. `origin` names the source in errors (e.g. `BLUEPRINTS`).
 */
export function blueprintSources(value: unknown, origin: string): { items: unknown[]; list: boolean } {
  let data = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value);
    } catch (error) {
      throw new BlueprintError([`${origin}: not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
    }
  }
  if (Array.isArray(data)) return { items: data, list: true };
  if (data && typeof data === 'object') return { items: [data], list: false };
  throw new BlueprintError([`${origin}: expected a blueprint object or an array of them, got ${data === null ? 'null' : typeof data}`]);
}

/**
 * Validates custom blueprints and resolves `extends` (presets or other custom blueprints),
 * returning every blueprint by name, presets included. Throws BlueprintError listing all problems.
 */
export function resolveBlueprints(sources: readonly { origin: string; value: unknown }[]): Record<string, Blueprint> {
  const problems: string[] = [];
  const own = new Map<string, { blueprint: Blueprint; where: string }>();
  for (const source of sources) {
    let items: unknown[];
    let list: boolean;
    try {
      ({ items, list } = blueprintSources(source.value, source.origin));
    } catch (error) {
      if (error instanceof BlueprintError) problems.push(...error.problems);
      else throw error;
      continue;
    }
    items.forEach((item, i) => {
      const named = item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? `("${(item as { name: string }).name}")` : '';
      const where = `${source.origin}${list ? `[${i}]` : ''}${named ? ` ${named}` : ''}`;
      const parsed = Blueprint.safeParse(item);
      if (!parsed.success) {
        problems.push(...issues(parsed.error, where));
        return;
      }
      const name = parsed.data.name;
      if (PRESETS[name]) problems.push(`${where}: "${name}" is a preset's name; name yours differently and write "extends": "${name}"`);
      else if (own.has(name)) problems.push(`${where}: a blueprint named "${name}" is already defined (${own.get(name)?.where})`);
      else own.set(name, { blueprint: parsed.data, where });
    });
  }

  const resolved: Record<string, Blueprint> = { ...PRESETS };
  const resolving = new Set<string>();
  const failed = new Set<string>();
  const resolve = (name: string): Blueprint | undefined => {
    if (resolved[name]) return resolved[name];
    if (failed.has(name)) return undefined;
    const entry = own.get(name);
    if (!entry) return undefined;
    const { blueprint, where } = entry;
    if (!blueprint.extends) return (resolved[name] = blueprint);
    if (resolving.has(name)) {
      problems.push(`${where}: "extends" goes round in a circle (${[...resolving, name].join(' → ')})`);
      return undefined;
    }
    resolving.add(name);
    const base = resolve(blueprint.extends);
    resolving.delete(name);
    if (!base) {
      failed.add(name);
      if (!own.has(blueprint.extends) && !PRESETS[blueprint.extends]) {
        problems.push(`${where} extends: no blueprint named "${blueprint.extends}" (presets: ${Object.keys(PRESETS).join(', ')}${own.size ? `; custom: ${[...own.keys()].join(', ')}` : ''})`);
      }
      return undefined;
    }
    return (resolved[name] = extend(base, blueprint));
  };
  for (const name of own.keys()) resolve(name);
  if (problems.length) throw new BlueprintError(problems);
  return resolved;
}

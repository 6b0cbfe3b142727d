import customBlueprints from '../../blueprints/custom.json';
import { BlueprintError, blueprintSources, PRESETS, resolveBlueprints } from '../blueprints/registry';
import type { Blueprint } from '../blueprints/schema';
import type { Settings } from './settings';
import { ConfigError } from './ConfigError';
import type { Connection } from './connections';

/** Where custom blueprints come from, in order (docs/blueprints.md "Custom blueprints"). */
export const BUNDLED_BLUEPRINTS_FILE = 'blueprints/custom.json';

const isInline = (blueprint: string) => blueprint.trimStart().startsWith('{');

/**
 * Each connection's blueprint, resolved once at config load: presets, the custom blueprints
 * bundled from blueprints/custom.json, those in the BLUEPRINTS setting (JSON text or a wrangler
 * JSON var), and a connection's inline one (BLUEPRINT / `blueprint` holding a JSON object).
 * Any malformed blueprint or filter makes the whole config fail with every problem listed.
 */
export function readBlueprints(env: Settings, connections: readonly Connection[]): Record<string, Blueprint> {
  const sources: { origin: string; value: unknown }[] = [{ origin: BUNDLED_BLUEPRINTS_FILE, value: customBlueprints }];
  if (env.BLUEPRINTS !== undefined && env.BLUEPRINTS !== '') sources.push({ origin: 'BLUEPRINTS', value: env.BLUEPRINTS });

  const inlineName = new Map<string, string>();
  for (const connection of connections) {
    if (!isInline(connection.blueprint) || inlineName.has(connection.blueprint)) continue;
    const origin = `blueprint of connection "${connection.id}"`;
    try {
      const [first] = blueprintSources(connection.blueprint, origin).items;
      const name = first && typeof first === 'object' ? (first as { name?: unknown }).name : undefined;
      inlineName.set(connection.blueprint, typeof name === 'string' ? name : '');
    } catch (error) {
      if (error instanceof BlueprintError) throw new ConfigError('blueprints', error.problems);
      throw error;
    }
    sources.push({ origin, value: connection.blueprint });
  }

  let known: Record<string, Blueprint>;
  try {
    known = resolveBlueprints(sources);
  } catch (error) {
    if (error instanceof BlueprintError) throw new ConfigError('blueprints', error.problems);
    throw error;
  }

  const byConnection: Record<string, Blueprint> = {};
  const problems: string[] = [];
  for (const connection of connections) {
    const name = isInline(connection.blueprint) ? (inlineName.get(connection.blueprint) ?? '') : connection.blueprint.trim();
    const blueprint = known[name];
    if (blueprint) byConnection[connection.id] = blueprint;
    else {
      const custom = Object.keys(known).filter((n) => !PRESETS[n]);
      problems.push(`connection "${connection.id}": unknown blueprint "${name}" (presets: ${Object.keys(PRESETS).join(', ')}${custom.length ? `; custom: ${custom.join(', ')}` : ''})`);
    }
  }
  if (problems.length) throw new ConfigError('BLUEPRINT', problems);
  return byConnection;
}

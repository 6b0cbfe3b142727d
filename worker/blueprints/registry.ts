import { Blueprint } from './schema';
import { b2bSaas } from './presets/b2b-saas';
import { retail } from './presets/retail';

export const PRESETS: Readonly<Record<string, Blueprint>> = {
  retail: Blueprint.parse(retail),
  'b2b-saas': Blueprint.parse(b2bSaas),
};

/** The blueprint named by a connection's `BLUEPRINT` setting. */
export function blueprintNamed(name: string): Blueprint {
  const preset = PRESETS[name];
  if (!preset) throw new RangeError(`unknown blueprint "${name}" (presets: ${Object.keys(PRESETS).join(', ')})`);
  return preset;
}

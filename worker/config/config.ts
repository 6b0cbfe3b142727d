import type { Env } from '../env';
import type { Blueprint } from '../blueprints/schema';
import { readBlueprints } from './blueprints';
import { type Connection, readConnections } from './connections';
import { readSegmentsConfig, type SegmentsConfig } from './segments';

/** Default first-party paths: none of the words blocklists match (track, collect, analytics, event, pixel, beacon, tag.js). */
export const DEFAULT_TAG_PATH = '/s.js';
export const DEFAULT_INGEST_PATH = '/i';

export interface Config {
  connections: Connection[];
  /** Each connection's resolved blueprint, by connection id (validated at load: config/blueprints.ts). */
  blueprints: Record<string, Blueprint>;
  writeKeys: string[];
  debuggerToken: string | undefined;
  allowedOrigins: string[] | '*';
  defaultPhoneCountry: string | undefined;
  tagPath: string;
  ingestPath: string;
  demoPage: boolean;
  segments: SegmentsConfig;
}

const cache = new WeakMap<Env, Config>();

/** Parses the settings once per `env` object (workerd reuses it across requests). Throws ConfigError. */
export function readConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    const connections = readConnections(env);
    config = {
      connections,
      blueprints: readBlueprints(env, connections),
      writeKeys: list(env.WRITE_KEYS),
      debuggerToken: env.DEBUGGER_TOKEN || undefined,
      allowedOrigins: env.ALLOWED_ORIGINS && env.ALLOWED_ORIGINS.trim() !== '*' ? list(env.ALLOWED_ORIGINS) : '*',
      defaultPhoneCountry: env.DEFAULT_PHONE_COUNTRY || undefined,
      tagPath: path(env.TAG_PATH, DEFAULT_TAG_PATH),
      ingestPath: path(env.INGEST_PATH, DEFAULT_INGEST_PATH),
      demoPage: env.DEMO_PAGE === 'on',
      segments: readSegmentsConfig(env),
    };
    cache.set(env, config);
  }
  return config;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function path(value: string | undefined, fallback: string): string {
  const p = (value ?? '').trim();
  return p ? (p.startsWith('/') ? p : `/${p}`) : fallback;
}

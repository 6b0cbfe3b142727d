import type { Blueprint } from '../blueprints/schema';
import { type AlertSettings, readAlertSettings } from './alerts';
import { readBlueprints } from './blueprints';
import { ConfigError } from './ConfigError';
import { type Connection, readConnections } from './connections';
import { readSegmentsConfig, type SegmentsConfig } from './segments';
import type { Settings } from './settings';

/** Default first-party paths: none of the words blocklists match (track, collect, analytics, event, pixel, beacon, tag.js). */
export const DEFAULT_TAG_PATH = '/s.js';
export const DEFAULT_INGEST_PATH = '/i';

/**
 * The collector's settings, parsed. Settings are read in sections — connections, blueprints,
 * ingest limits, segments — and a section whose settings are malformed throws its ConfigError
 * when a route reads it: that route answers 503 `misconfigured` naming the setting, while routes
 * that do not need the section (the debugger, /healthz, delivery itself) keep working and list
 * the problem in `problems`.
 */
export interface Config {
  connections: Connection[];
  /** Each connection's resolved blueprint, by connection id (validated at load: config/blueprints.ts). */
  blueprints: Record<string, Blueprint>;
  writeKeys: string[];
  debuggerToken: string | undefined;
  allowedOrigins: string[] | '*';
  tagPath: string;
  ingestPath: string;
  demoPage: boolean;
  demoSandboxUrl: string | undefined;
  segments: SegmentsConfig;
  /** SEGMENTS_IDENTITY_SECRET is set: /s.js serves the segments build (readable whatever else is wrong). */
  segmentsEnabled: boolean;
  /** Ingest requests per minute per client address / per write key (0 = no limit). */
  ingestRatePerIp: number;
  ingestRatePerWriteKey: number;
  /** Requests per minute each address may still send while its write key is over budget (0 = none: a hard cap). */
  ingestRateSharePerIp: number;
  botPolicy: BotPolicy;
  alerts: AlertSettings;
  /** Every malformed setting, in the order the sections are read; empty when all is well. */
  problems: ConfigError[];
}

export const BOT_POLICIES = ['drop', 'mark', 'allow'] as const;
export type BotPolicy = (typeof BOT_POLICIES)[number];

/** Abuse ceilings, not traffic shaping: a carrier-grade NAT puts many real visitors behind one address. */
export const DEFAULT_INGEST_RATE_PER_IP = 1200;
export const DEFAULT_INGEST_RATE_PER_WRITE_KEY = 60_000;
/** A visitor's tag sends at most one batch a second per tab: two tabs' worth, or a few visitors behind one NAT. */
export const DEFAULT_INGEST_RATE_SHARE_PER_IP = 120;

type Section<T> = { value: T } | { error: ConfigError };

function section<T>(read: () => T): Section<T> {
  try {
    return { value: read() };
  } catch (error) {
    if (error instanceof ConfigError) return { error };
    throw error;
  }
}

const cache = new WeakMap<Settings, Config>();

/** Parses the settings once per `env` object (workerd reuses it across requests), section by section. */
export function loadConfig(env: Settings): Config {
  let config = cache.get(env);
  if (config) return config;
  const connections = section(() => readConnections(env));
  const blueprints = section(() => readBlueprints(env, value(connections)));
  const segments = section(() => readSegmentsConfig(env));
  const ingest = section(() => ({
    ingestRatePerIp: count('INGEST_RATE_PER_IP', env.INGEST_RATE_PER_IP, DEFAULT_INGEST_RATE_PER_IP),
    ingestRatePerWriteKey: count('INGEST_RATE_PER_WRITE_KEY', env.INGEST_RATE_PER_WRITE_KEY, DEFAULT_INGEST_RATE_PER_WRITE_KEY),
    ingestRateSharePerIp: count('INGEST_RATE_SHARE_PER_IP', env.INGEST_RATE_SHARE_PER_IP, DEFAULT_INGEST_RATE_SHARE_PER_IP),
    botPolicy: botPolicy(env.BOT_POLICY),
  }));
  const alerts = section(() => readAlertSettings(env));
  const problems = [connections, blueprints, segments, ingest, alerts].flatMap((s) => ('error' in s ? [s.error] : []));
  config = {
    writeKeys: list(env.WRITE_KEYS),
    debuggerToken: env.DEBUGGER_TOKEN || undefined,
    allowedOrigins: env.ALLOWED_ORIGINS && env.ALLOWED_ORIGINS.trim() !== '*' ? list(env.ALLOWED_ORIGINS) : '*',
    tagPath: path(env.TAG_PATH, DEFAULT_TAG_PATH),
    ingestPath: path(env.INGEST_PATH, DEFAULT_INGEST_PATH),
    demoPage: env.DEMO_PAGE === 'on',
    demoSandboxUrl: env.DEMO_SANDBOX_URL || undefined,
    segmentsEnabled: Boolean(env.SEGMENTS_IDENTITY_SECRET?.trim()),
    // A broken connections section fails blueprints with the same error: listed once.
    problems: [...new Set(problems)],
  } as Config;
  Object.defineProperties(config, {
    connections: { get: () => value(connections), enumerable: true },
    blueprints: { get: () => value(blueprints), enumerable: true },
    segments: { get: () => value(segments), enumerable: true },
    ingestRatePerIp: { get: () => value(ingest).ingestRatePerIp, enumerable: true },
    ingestRatePerWriteKey: { get: () => value(ingest).ingestRatePerWriteKey, enumerable: true },
    ingestRateSharePerIp: { get: () => value(ingest).ingestRateSharePerIp, enumerable: true },
    botPolicy: { get: () => value(ingest).botPolicy, enumerable: true },
    alerts: { get: () => value(alerts), enumerable: true },
  });
  cache.set(env, config);
  return config;
}

/** The whole configuration or its first problem (ConfigError): for callers that need every section. */
export function readConfig(env: Settings): Config {
  const config = loadConfig(env);
  if (config.problems[0]) throw config.problems[0];
  return config;
}

function value<T>(s: Section<T>): T {
  if ('error' in s) throw s.error;
  return s.value;
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

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(name, ['must be a whole number ≥ 0 (0 turns the limit off)']);
  return n;
}

function botPolicy(value: string | undefined): BotPolicy {
  const v = (value ?? '').trim().toLowerCase() || 'drop';
  if (!(BOT_POLICIES as readonly string[]).includes(v)) throw new ConfigError('BOT_POLICY', [`must be one of ${BOT_POLICIES.join(', ')}`]);
  return v as BotPolicy;
}

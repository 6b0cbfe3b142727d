import type { Env } from '../env';
import type { Blueprint } from '../blueprints/schema';
import { type AlertSettings, readAlertSettings } from './alerts';
import { readBlueprints } from './blueprints';
import { ConfigError } from './ConfigError';
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
  /** Ingest requests per minute per client address / per write key (0 = no limit). */
  ingestRatePerIp: number;
  ingestRatePerWriteKey: number;
  /** Requests per minute each address may still send while its write key is over budget (0 = none: a hard cap). */
  ingestRateSharePerIp: number;
  botPolicy: BotPolicy;
  alerts: AlertSettings;
}

export const BOT_POLICIES = ['drop', 'mark', 'allow'] as const;
export type BotPolicy = (typeof BOT_POLICIES)[number];

/** Abuse ceilings, not traffic shaping: a carrier-grade NAT puts many real visitors behind one address. */
export const DEFAULT_INGEST_RATE_PER_IP = 1200;
export const DEFAULT_INGEST_RATE_PER_WRITE_KEY = 60_000;
/** A visitor's tag sends at most one batch a second per tab: two tabs' worth, or a few visitors behind one NAT. */
export const DEFAULT_INGEST_RATE_SHARE_PER_IP = 120;

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
      ingestRatePerIp: count('INGEST_RATE_PER_IP', env.INGEST_RATE_PER_IP, DEFAULT_INGEST_RATE_PER_IP),
      ingestRatePerWriteKey: count('INGEST_RATE_PER_WRITE_KEY', env.INGEST_RATE_PER_WRITE_KEY, DEFAULT_INGEST_RATE_PER_WRITE_KEY),
      ingestRateSharePerIp: count('INGEST_RATE_SHARE_PER_IP', env.INGEST_RATE_SHARE_PER_IP, DEFAULT_INGEST_RATE_SHARE_PER_IP),
      botPolicy: botPolicy(env.BOT_POLICY),
      alerts: readAlertSettings(env),
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

import type { SettingName, Settings } from './settings';
import { ConfigError } from './ConfigError';

/**
 * MoEngage Outbound Segment Sync (receiver) and the site's read API (`GET /v1/segments`).
 * Names of keys are settings because MoEngage lets the integration rename them. docs/segments.md.
 */
export interface SegmentsConfig {
  /** Basic auth of the receiver; both unset → the receiver answers 503 segment_sync_disabled. */
  sync: { username: string; password: string } | undefined;
  /** Name of the user-identifier key in each user object (MoEngage "User Identifier", renameable). */
  userKey: string;
  /** Names of the add/remove lists in `data` (renameable on MoEngage's side). */
  addKey: string;
  removeKey: string;
  /** A static key-value pair marking an execution as "Resync All Users" (query, header or body). */
  resyncMarker: { key: string; value: string } | undefined;
  /** HMAC key the site's backend uses to vouch for a userId; unset → the read API answers 503. */
  identitySecret: string | undefined;
  /** Seconds the read API's answer may be reused (edge cache and browser, `private`). 0 disables. */
  cacheSeconds: number;
  /** Segment names or sync ids the read API may reveal to the visitor; undefined = all. */
  visible: string[] | undefined;
}

export const SEGMENT_DEFAULTS = {
  userKey: 'partner_user_id',
  addKey: 'add_users',
  removeKey: 'remove_users',
  resyncMarker: 'edgetag_resync=true',
  cacheSeconds: 30,
} as const;

export function readSegmentsConfig(env: Settings): SegmentsConfig {
  const text = (name: SettingName): string | undefined => {
    const v = env[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const username = text('SEGMENT_SYNC_USERNAME');
  const password = text('SEGMENT_SYNC_PASSWORD');
  if (Boolean(username) !== Boolean(password)) {
    throw new ConfigError('SEGMENT_SYNC_USERNAME/SEGMENT_SYNC_PASSWORD', ['set both or neither']);
  }
  const keys = {
    userKey: text('SEGMENT_SYNC_USER_KEY') ?? SEGMENT_DEFAULTS.userKey,
    addKey: text('SEGMENT_SYNC_ADD_KEY') ?? SEGMENT_DEFAULTS.addKey,
    removeKey: text('SEGMENT_SYNC_REMOVE_KEY') ?? SEGMENT_DEFAULTS.removeKey,
  };
  if (keys.addKey === keys.removeKey) throw new ConfigError('SEGMENT_SYNC_ADD_KEY', ['must differ from SEGMENT_SYNC_REMOVE_KEY']);

  const markerText = env.SEGMENT_SYNC_RESYNC_MARKER === undefined ? SEGMENT_DEFAULTS.resyncMarker : String(env.SEGMENT_SYNC_RESYNC_MARKER).trim();
  let resyncMarker: SegmentsConfig['resyncMarker'];
  if (markerText !== '' && markerText !== 'off') {
    const eq = markerText.indexOf('=');
    if (eq < 1 || eq === markerText.length - 1) throw new ConfigError('SEGMENT_SYNC_RESYNC_MARKER', ['use key=value, or off']);
    resyncMarker = { key: markerText.slice(0, eq).trim(), value: markerText.slice(eq + 1).trim() };
  }

  const cacheText = text('SEGMENTS_CACHE_SECONDS');
  const cacheSeconds = cacheText === undefined ? SEGMENT_DEFAULTS.cacheSeconds : Number(cacheText);
  if (!Number.isInteger(cacheSeconds) || cacheSeconds < 0 || cacheSeconds > 3600) {
    throw new ConfigError('SEGMENTS_CACHE_SECONDS', ['an integer from 0 to 3600']);
  }
  const visible = text('SEGMENTS_VISIBLE')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  return {
    sync: username && password ? { username, password } : undefined,
    ...keys,
    resyncMarker,
    identitySecret: text('SEGMENTS_IDENTITY_SECRET'),
    cacheSeconds,
    visible,
  };
}

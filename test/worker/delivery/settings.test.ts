/** Delivery settings: flat vars for every connection, per-connection fields in MOENGAGE_CONNECTIONS. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../worker/config/ConfigError';
import { readConnections, readDeliveryConnection } from '../../../worker/config/connections';
import { DELIVERY_DEFAULTS } from '../../../worker/config/delivery';
import { type Settings, settingNamed } from '../../../worker/config/settings';
import type { Env } from '../../../worker/env';

const base = { MOENGAGE_WORKSPACE_ID: 'ws', MOENGAGE_DATA_API_KEY: 'k', MOENGAGE_DATA_CENTER: '01' } as unknown as Env;

describe('delivery settings', () => {
  it('defaults', () => {
    expect(readConnections(base)[0]?.delivery).toEqual(DELIVERY_DEFAULTS);
    expect(DELIVERY_DEFAULTS).toMatchObject({ mode: 'realtime', packing: 'auto', maxAttempts: 8, customerUpdatesPerMinute: 10_000 });
  });

  it('reads the flat vars', () => {
    const env = {
      ...base,
      DELIVERY_MODE: 'batch',
      BATCH_CADENCE_MINUTES: '5',
      DELIVERY_PACKING: 'bulk',
      MAX_ATTEMPTS: '4',
      MOENGAGE_CUSTOMER_UPDATES_PER_MINUTE: '5000',
      MOENGAGE_MERGES_PER_MINUTE: '500',
      MOENGAGE_REQUESTS_PER_MINUTE: '100',
      MAX_BACKLOG_EVENTS: '1000',
      MAX_EVENT_AGE_HOURS: '1.5',
      EVENT_LOG_RETENTION_DAYS: '2',
      MAX_LOG_EVENTS: '5000',
      DEAD_LETTER_RETENTION_DAYS: '90',
    } as unknown as Env;
    expect(readConnections(env)[0]?.delivery).toEqual({
      mode: 'batch',
      batchCadenceMinutes: 5,
      packing: 'bulk',
      maxAttempts: 4,
      customerUpdatesPerMinute: 5000,
      mergesPerMinute: 500,
      requestsPerMinute: 100,
      maxBacklogEvents: 1000,
      maxEventAgeHours: 1.5,
      logRetentionHours: 48, // EVENT_LOG_RETENTION_DAYS is read as days × 24 (DEBUGGER_RETENTION_HOURS)
      maxLogEvents: 5000,
      deadLetterRetentionDays: 90,
    });
  });

  it('dead letters have their own bound: 30 days by default, a connection may set its own', () => {
    expect(DELIVERY_DEFAULTS.deadLetterRetentionDays).toBe(30);
    const env = {
      DEAD_LETTER_RETENTION_DAYS: '7',
      KEY_A: 'a',
      MOENGAGE_CONNECTIONS: JSON.stringify([
        { id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A', dataCenter: '01' },
        { id: 'b', workspaceId: 'wb', dataApiKeySecret: 'KEY_A', dataCenter: '01', deadLetterRetentionDays: 0.5, debuggerRetentionHours: 1 },
      ]),
    } as unknown as Env;
    expect(readConnections(env).map((c) => [c.id, c.delivery.deadLetterRetentionDays, c.delivery.logRetentionHours])).toEqual([
      ['a', 7, 168],
      ['b', 0.5, 1],
    ]);
  });

  it('lets each MOENGAGE_CONNECTIONS entry override the vars', () => {
    const env = {
      DELIVERY_PACKING: 'bulk',
      MOENGAGE_DATA_CENTER: '02',
      KEY_A: 'a',
      KEY_B: 'b',
      MOENGAGE_CONNECTIONS: JSON.stringify([
        { id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A' },
        { id: 'b', workspaceId: 'wb', dataApiKeySecret: 'KEY_B', packing: 'event', deliveryMode: 'batch', batchCadenceMinutes: 30, maxBacklogEvents: 10 },
      ]),
    } as unknown as Env;
    const [a, b] = readConnections(env);
    expect(a?.delivery).toMatchObject({ packing: 'bulk', mode: 'realtime' });
    expect(b?.delivery).toMatchObject({ packing: 'event', mode: 'batch', batchCadenceMinutes: 30, maxBacklogEvents: 10 });
  });

  it.each([
    ['DELIVERY_PACKING', 'fast', 'delivery.packing'],
    ['DELIVERY_MODE', 'sometimes', 'delivery.mode'],
    ['MAX_ATTEMPTS', '0', 'delivery.maxAttempts'],
    ['BATCH_CADENCE_MINUTES', '2000', 'delivery.batchCadenceMinutes'],
    ['MAX_BACKLOG_EVENTS', 'lots', 'delivery.maxBacklogEvents'],
    ['DEAD_LETTER_RETENTION_DAYS', '0', 'delivery.deadLetterRetentionDays'],
    ['DEAD_LETTER_RETENTION_DAYS', 'forever', 'delivery.deadLetterRetentionDays'],
    ['DEAD_LETTER_RETENTION_DAYS', '3651', 'delivery.deadLetterRetentionDays'],
  ])('refuses %s=%s, naming the setting', (name, value, path) => {
    const env = { ...base, [name]: value } as unknown as Env;
    expect(() => readConnections(env)).toThrow(ConfigError);
    expect(() => readConnections(env)).toThrow(path);
  });
});

describe('one name per setting', () => {
  it('a MOENGAGE_CONNECTIONS entry names each delivery setting as its var in camelCase; older spellings stay aliases', () => {
    const env = {
      KEY_A: 'a',
      MOENGAGE_CONNECTIONS: JSON.stringify([
        { id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A', dataCenter: '01', deliveryPacking: 'bulk' },
        { id: 'b', workspaceId: 'wb', dataApiKeySecret: 'KEY_A', dataCenter: '01', packing: 'event', logRetentionDays: 1 },
        { id: 'c', workspaceId: 'wc', dataApiKeySecret: 'KEY_A', dataCenter: '01', deliveryPacking: 'bulk', packing: 'event', debuggerRetentionHours: 5, logRetentionDays: 1 },
      ]),
    } as unknown as Env;
    expect(readConnections(env).map((c) => [c.id, c.delivery.packing, c.delivery.logRetentionHours])).toEqual([
      ['a', 'bulk', 168],
      ['b', 'event', 24],
      // The name beats its alias.
      ['c', 'bulk', 5],
    ]);
  });

  it('a misspelt setting does not type-check (no index signature on the settings)', () => {
    const settings: Settings = { MOENGAGE_WORKSPACE_ID: 'ws' };
    // @ts-expect-error MOENGAGE_WORKSPACEID is not a setting
    expect(settings.MOENGAGE_WORKSPACEID).toBeUndefined();
    // The one read by a configured name: the secret a MOENGAGE_CONNECTIONS entry names.
    expect(settingNamed({ ...settings, KEY_A: 'k' } as Settings, 'KEY_A')).toBe('k');
    expect(settingNamed(settings, 'constructor')).toBeUndefined();
  });
});

describe('a queue reads its own connection alone', () => {
  const env = {
    KEY_A: 'a',
    MOENGAGE_CONNECTIONS: JSON.stringify([
      { id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A', dataCenter: '01', maxAttempts: 3, anonymous: 'nonsense', blueprint: 'no-such-blueprint' },
      { id: 'b', workspaceId: 'wb', dataApiKeySecret: 'KEY_MISSING', dataCenter: '01', maxAttempts: 'lots' },
    ]),
  } as unknown as Env;

  it('its delivery settings, whatever the other entries or its mapping settings say', () => {
    expect(() => readConnections(env)).toThrow(ConfigError);
    expect(readDeliveryConnection(env, 'a')).toMatchObject({ id: 'a', workspaceId: 'wa', dataApiKey: 'a', delivery: { maxAttempts: 3 } });
  });

  it('its own malformed entry is its ConfigError; a connection no longer configured is undefined', () => {
    expect(() => readDeliveryConnection(env, 'b')).toThrow('MOENGAGE_CONNECTIONS[1]');
    expect(readDeliveryConnection(env, 'gone')).toBeUndefined();
    expect(readDeliveryConnection(base, 'default')).toMatchObject({ id: 'default' });
    expect(readDeliveryConnection(base, 'main')).toBeUndefined();
  });
});

describe('queue shards', () => {
  const entry = { id: 'shop', workspaceId: 'ws-shop', dataApiKeySecret: 'KEY_SHOP' };
  const withEntries = (...entries: object[]) => ({ ...base, KEY_SHOP: 'k2', MOENGAGE_CONNECTIONS: JSON.stringify(entries) }) as unknown as Env;
  const problemsOf = (env: Env): { setting: string; problems: string[] } => {
    try {
      readConnections(env);
    } catch (error) {
      if (error instanceof ConfigError) return { setting: error.setting, problems: error.problems };
      throw error;
    }
    throw new Error('no ConfigError');
  };

  it('one shard unless set; QUEUE_SHARDS for the default connection; an entry’s shards win over it', () => {
    expect(readConnections(base)[0]?.shards).toBe(1);
    expect(readConnections({ ...base, QUEUE_SHARDS: '8' } as unknown as Env)[0]?.shards).toBe(8);
    expect(readConnections(withEntries(entry))[0]?.shards).toBe(1);
    expect(readConnections({ ...withEntries(entry), QUEUE_SHARDS: '4' } as unknown as Env)[0]?.shards).toBe(4);
    expect(readConnections({ ...withEntries({ ...entry, shards: 16 }), QUEUE_SHARDS: '4' } as unknown as Env)[0]?.shards).toBe(16);
    expect(readDeliveryConnection(withEntries({ ...entry, shards: '2' }), 'shop')?.shards).toBe(2);
  });

  it.each(['0', '65', '2.5', 'many'])('QUEUE_SHARDS=%s is misconfigured, named', (value) => {
    const { setting, problems } = problemsOf({ ...base, QUEUE_SHARDS: value } as unknown as Env);
    expect(setting).toBe('QUEUE_SHARDS');
    expect(problems.join(' ')).toMatch(/1–64/);
  });

  it('a connection entry with shards out of range is misconfigured, naming the entry and the field', () => {
    const { setting, problems } = problemsOf(withEntries({ ...entry, shards: 100 }));
    expect(setting).toBe('MOENGAGE_CONNECTIONS[0]');
    expect(problems.join(' ')).toMatch(/^shards: must be at most 64/);
  });
});

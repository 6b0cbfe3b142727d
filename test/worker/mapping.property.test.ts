/**
 * Property: any message the collector accepts maps to MoEngage payloads that the strict sandbox (the
 * MoEngage double, our oracle for MoEngage's schema) answers 200 — and mapping never throws, never
 * touches Object.prototype and never carries prototype keys. Messages are generated, then go through
 * the collector's own pipeline steps (validate → enrich → mapMessage) exactly as ingest does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../worker/blueprints/registry';
import { mapMessage } from '../../worker/blueprints/map';
import type { Connection } from '../../worker/config/connections';
import { DELIVERY_DEFAULTS } from '../../worker/config/delivery';
import { MAPPING_DEFAULTS } from '../../worker/config/mappingSettings';
import { enrich } from '../../worker/ingest/enrich';
import { validateBatch } from '../../worker/ingest/validate';
import { customerUrl, eventUrl, authorization } from '../../worker/moengage/endpoints';
import { customerPayload, type DeliveryItem, eventPayload } from '../../worker/moengage/payloads';
import { createMoEngageSandbox } from '../../dev/moengage-sandbox/moengage';

const connection: Connection = {
  id: 'default',
  workspaceId: 'demo-workspace',
  dataApiKey: 'demo-data-api-key',
  dataCenter: '01',
  apiBase: 'http://moengage.sandbox',
  blueprint: 'retail',
  eventsPerMinute: 30_000,
  flushIntervalMs: 1000,
  shards: 1,
  ...MAPPING_DEFAULTS,
  delivery: DELIVERY_DEFAULTS,
};

const tricky = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'revenue', 'email', 'phone', 'name', 'value', 'moe_points', ''];
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...tricky));
const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;
const dict = fc.dictionary(key, json, { maxKeys: 8 });

const eventNames = [...new Set(Object.values(PRESETS).flatMap((b) => Object.keys(b.events)))].filter((e) => e !== 'page');
const id = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: -1e6, max: 1e12 }), fc.constantFrom('unknown', 'guest', '0', ' u_1 ', 'u_8842', 'user_attribute_unique_id', 'NULL'));
const at = fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const zone = fc.constantFrom(undefined, 'Europe/London', 'Asia/Kolkata', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Not/AZone', '');
const traits = fc.record(
  {
    email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 })),
    phone: fc.oneof(fc.constantFrom('+447700900123', '07700 900123', '+1 415 555 2671', '12', 'not a phone'), fc.string({ maxLength: 16 })),
    first_name: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
).chain((t) => dict.map((extra) => ({ ...extra, ...t })));

const common = {
  messageId: fc.option(fc.uuid(), { nil: undefined }),
  userId: fc.option(id, { nil: undefined }),
  anonymousId: id,
  timestamp: fc.option(at, { nil: undefined }),
  sentAt: fc.option(at, { nil: undefined }),
  context: fc.record({ traits, timezone: zone, userAgent: fc.constant('Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0') }, { requiredKeys: [] }),
};
const message = fc.oneof(
  fc.record({ type: fc.constant('track'), event: fc.oneof(fc.constantFrom(...eventNames), fc.string({ minLength: 1, maxLength: 30 })), properties: dict, ...common }, { requiredKeys: ['type', 'event', 'anonymousId'] }),
  fc.record({ type: fc.constant('page'), name: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }), properties: dict, ...common }, { requiredKeys: ['type', 'anonymousId'] }),
  fc.record({ type: fc.constant('identify'), traits, ...common }, { requiredKeys: ['type', 'anonymousId'] }),
  fc.record({ type: fc.constantFrom('screen', 'group', 'alias'), groupId: fc.string({ minLength: 1, maxLength: 8 }), previousId: fc.string({ minLength: 1, maxLength: 8 }), ...common }, { requiredKeys: ['type', 'anonymousId', 'groupId', 'previousId'] }),
);

/** JSON round trip: what a client would actually send (drops undefined, as the wire does). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

function sandboxRequest(item: DeliveryItem): Request | null {
  const body = item.kind === 'event' ? eventPayload([item]) : item.kind === 'customer' ? customerPayload(item) : null;
  if (!body) return null;
  return new Request(item.kind === 'event' ? eventUrl(connection) : customerUrl(connection), {
    method: 'POST',
    headers: { authorization: authorization(connection), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Every object key in a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(keysOf);
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

describe.each(Object.keys(PRESETS))('blueprint %s', (blueprintName) => {
  it('every accepted message maps without throwing to payloads MoEngage’s schema accepts', async () => {
    const sandbox = createMoEngageSandbox({ eventsPerMinute: 1e9, customerUpdatesPerMinute: 1e9 });
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 3 }), async (messages) => {
        const validated = validateBatch(wire({ batch: messages }));
        const receivedAt = Date.now();
        for (const { message: m } of validated.messages) {
          const { message: enriched } = enrich(m, receivedAt, validated.sentAt);
          const mapped = mapMessage(enriched, PRESETS[blueprintName]!, {});
          if (mapped.status === 'dropped') {
            expect(mapped.reason).toMatch(/^[a-z_]+$/);
            continue;
          }
          const blueprint = PRESETS[blueprintName]!;
          const renames = new Set(Object.values(blueprint.events).flatMap((rule) => Object.values(rule.rename ?? {})));
          const sourceKeys = new Set([...Object.keys((enriched as { properties?: object }).properties ?? {}), 'name', ...renames]);
          for (const item of mapped.items) {
            expect(keysOf(item).filter((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')).toEqual([]);
            // Attributes are the message's own properties (or their blueprint renames): nothing inherited leaks in.
            // Nested values are flattened to `<key>_<subkey>` names (NESTED_ATTRIBUTES=flatten) and
            // a reserved `moe_` prefix is stripped (MOE_PREFIX=rename).
            if (item.kind === 'event') {
              const allowed = [...sourceKeys].map((source) => source.replace(/^(moe_)+/i, ''));
              for (const k of Object.keys(item.action.attributes)) {
                expect(allowed.some((source) => k === source || k.startsWith(`${source}_`)), `attribute ${k}`).toBe(true);
              }
            }
            // A held item (anonymous visitor) goes out once released with the linked userId.
            const request = sandboxRequest(mapped.status === 'held' && 'customer_id' in item ? { ...item, customer_id: 'u_released' } : item);
            if (!request) continue;
            const response = await sandbox.handle(request);
            if (response.status !== 200) throw new Error(`MoEngage sandbox answered ${response.status}: ${await response.text()} for ${JSON.stringify(item)}`);
          }
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
      }),
      { numRuns: 400, seed: 20260601 },
    );
  }, 60_000);
});

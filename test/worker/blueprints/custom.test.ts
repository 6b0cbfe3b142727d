import { env } from 'cloudflare:workers';
import { createExecutionContext, reset, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import myShop from '../../../blueprints/examples/my-shop.json';
import bundled from '../../../blueprints/custom.json';
import worker from '../../../worker/index';
import { BlueprintError, PRESETS, resolveBlueprints } from '../../../worker/blueprints/registry';
import type { Blueprint } from '../../../worker/blueprints/schema';
import { ConfigError } from '../../../worker/config/ConfigError';
import { readConfig } from '../../../worker/config/config';
import type { Env } from '../../../worker/env';
import { basic, flush, WRITE_KEY } from '../support/ingest';
import { installSandbox } from '../support/sandbox';
import { map, onlyEvent } from './support';

function problems(value: unknown, origin = 'my.json'): string[] {
  try {
    resolveBlueprints([{ origin, value }]);
  } catch (error) {
    if (error instanceof BlueprintError) return error.problems;
    throw error;
  }
  return [];
}

function resolveOne(value: Record<string, unknown>): Blueprint {
  return resolveBlueprints([{ origin: 'my.json', value }])[value.name as string] as Blueprint;
}

describe('custom blueprint validation: clear errors, all at once', () => {
  it.each<[string, unknown, string[]]>([
    ['not JSON', '{"name": "x",', ['my.json: not valid JSON (Expected double-quoted property name in JSON at position 13 (line 1 column 14))']],
    ['not an object', 42, ['my.json: expected a blueprint object or an array of them, got number']],
    ['no name, no events', {}, ['my.json name: Invalid input: expected string, received undefined', 'my.json events: Invalid input: expected record, received undefined']],
    ['a name with spaces', { name: 'my shop', events: {} }, ['my.json ("my shop") name: letters, digits, ".", "-" or "_" (at most 64)']],
    ['a typo in a rule', { name: 'x', events: { 'Order Completed': { renames: { revenue: 'value' } } } }, ['my.json ("x") events["Order Completed"]: Unrecognized key: "renames"']],
    ['a typo at the top', { name: 'x', events: {}, userAttribute: {} }, ['my.json ("x"): Unrecognized key: "userAttribute"']],
    ['enabled as a string', { name: 'x', events: { 'Signed Up': { enabled: 'yes' } } }, ['my.json ("x") events["Signed Up"].enabled: Invalid input: expected boolean, received string']],
    ['a reserved action name', { name: 'x', events: { 'Signed Up': { action: 'moe_signup' } } }, ['my.json ("x") events["Signed Up"].action: must not start with "moe_" (reserved by MoEngage)']],
    ['a reserved event key without action', { name: 'x', events: { moe_signup: {} } }, ['my.json ("x") events.moe_signup: needs an "action": as an action name, "moe_signup" must not start with "moe_" (reserved by MoEngage)']],
    ['a rename to a reserved name', { name: 'x', events: { A: { rename: { src: 'moe_src' } } } }, ['my.json ("x") events.A.rename.src: must not start with "moe_" (reserved by MoEngage)']],
    ['a too long action', { name: 'x', events: { A: { action: 'a'.repeat(201) } } }, ['my.json ("x") events.A.action: MoEngage keeps only 200 characters of a name']],
    ['a user attribute too long', { name: 'x', events: {}, userAttributes: { plan: 'p'.repeat(201) } }, ['my.json ("x") userAttributes.plan: MoEngage keeps only 200 characters of a name']],
    ['a malformed filter', { name: 'x', events: { 'Order Completed': { filter: "revenue >= 100 AND currency = 'GBP" } } }, ['my.json ("x") events["Order Completed"].filter: malformed filter "revenue >= 100 AND currency = \'GBP": column 31: unterminated string starting here (strings end with \')']],
    ['a trailing AND', { name: 'x', events: { A: { filter: 'revenue >= 100 AND' } } }, ['my.json ("x") events.A.filter: malformed filter "revenue >= 100 AND": column 16: expected a condition after AND']],
    ['an action on "*"', { name: 'x', events: { '*': { action: 'Anything' } } }, ['my.json ("x") events["*"].action: "*" passes each event under its own name; it cannot have an action']],
    ['otherTraits unknown', { name: 'x', events: {}, otherTraits: 'drop' }, ['my.json ("x") otherTraits: Invalid option: expected one of "send"|"ignore"']],
    ['a preset’s name', { name: 'retail', events: {} }, ['my.json ("retail"): "retail" is a preset\'s name; name yours differently and write "extends": "retail"']],
    ['extends an unknown blueprint', { name: 'x', extends: 'retial', events: {} }, ['my.json ("x") extends: no blueprint named "retial" (presets: retail, b2b-saas; custom: x)']],
    ['a blank action name', { name: 'x', events: { 'Signed Up': { action: '   ' } } }, ['my.json ("x") events["Signed Up"].action: must not be blank (only spaces)']],
    ['an empty action name', { name: 'x', events: { 'Signed Up': { action: '' } } }, ['my.json ("x") events["Signed Up"].action: must not be empty', 'my.json ("x") events["Signed Up"].action: must not be blank (only spaces)']],
    ['a blank event key', { name: 'x', events: { ' \t ': { action: 'Tab' } } }, ['my.json ("x") events[" \\t "]: an event name must not be blank (only spaces)']],
    ['a blank event key without action', { name: 'x', events: { '  ': {} } }, ['my.json ("x") events["  "]: an event name must not be blank (only spaces)']],
    ['a rename to a blank name', { name: 'x', events: { A: { rename: { src: ' ' } } } }, ['my.json ("x") events.A.rename.src: must not be blank (only spaces)']],
    ['a user attribute with a blank key', { name: 'x', events: {}, userAttributes: { plan: '  ' } }, ['my.json ("x") userAttributes.plan: must not be blank (only spaces)']],
    ['a user attribute MoEngage blocks', { name: 'x', events: {}, userAttributes: { uid: 'id' } }, ['my.json ("x") userAttributes.uid: "id" is blocked by MoEngage as a user attribute name']],
    ['a reserved user attribute MoEngage does not document', { name: 'x', events: {}, userAttributes: { tier: 'moe_tier' } }, ['my.json ("x") userAttributes.tier: must not start with "moe_" (reserved by MoEngage)']],
    ['several problems', { name: 'x', events: { A: { enabled: 1, filter: 'a >' } } }, ['my.json ("x") events.A.enabled: Invalid input: expected boolean, received number', 'my.json ("x") events.A.filter: malformed filter "a >": column 3: expected a value after >, found the end of the condition']],
  ])('%s', (_, value, expected) => {
    expect(problems(value)).toEqual(expected);
  });

  it('names each blueprint of an array by index and name; duplicates and cycles are refused', () => {
    expect(problems([{ name: 'a', events: {} }, { name: 'a', events: {} }])).toEqual(['my.json[1] ("a"): a blueprint named "a" is already defined (my.json[0] ("a"))']);
    expect(problems([{ name: 'a', extends: 'b', events: {} }, { name: 'b', extends: 'a', events: {} }])).toEqual([
      'my.json[0] ("a"): "extends" goes round in a circle (a → b → a)',
    ]);
  });
});

describe('blank action names are refused with a reason, also through custom blueprints', () => {
  it('a documented moe_ Track User key is accepted as a user attribute target', () => {
    expect(problems({ name: 'x', extends: 'retail', events: {}, userAttributes: { optOut: 'moe_unsubscribe', phone: 'moe_mobile' } })).toEqual([]);
  });

  it.each(['   ', '\t', ' \n '])('a track event named %j through "*" is dropped as blank_action_name, never sent', (name) => {
    const all = resolveOne({ name: 'all', extends: 'retail', events: { '*': {} } });
    expect(map({ type: 'track', userId: 'u_1', event: name }, all)).toEqual({
      status: 'dropped',
      reason: 'blank_action_name',
      detail: `event name ${JSON.stringify(name)} is blank; MoEngage refuses an action without a name`,
      omissions: [],
    });
  });
});

describe('custom blueprints: extend a preset, enable or disable single events', () => {
  it('the example my-shop.json is valid and overrides retail key by key', () => {
    const shop = resolveOne(myShop);
    const retail = PRESETS.retail as Blueprint;
    expect(shop.events['Order Completed']).toEqual({ rename: { revenue: 'value' }, filter: "revenue >= 100 AND currency = 'GBP'" });
    expect(shop.events['Product Removed']).toEqual({ enabled: false });
    expect(shop.events['Order Refunded']).toEqual({ enabled: true, rename: { revenue: 'value' } });
    expect(shop.events['Product Viewed']).toEqual(retail.events['Product Viewed']);
    expect(shop.userAttributes).toEqual({ ...retail.userAttributes, loyalty_tier: 'loyalty_tier' });
    expect(shop.otherTraits).toBe('ignore');
    expect(shop).not.toHaveProperty('extends');
  });

  it('maps through the custom blueprint: new events, filters, disabled ones', () => {
    const shop = resolveOne(myShop);
    const wish = onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Wishlist Shared', properties: { sku: 'A', share_via: 'mail' } }, shop));
    expect(wish.action).toMatchObject({ action: 'Wishlist Shared', attributes: { sku: 'A' } });
    expect(map({ type: 'track', userId: 'u_1', event: 'Order Completed', properties: { revenue: 89.99, currency: 'GBP' } }, shop)).toMatchObject({
      status: 'dropped',
      reason: 'filtered',
      detail: `filter "revenue >= 100 AND currency = 'GBP'" is false for this event`,
    });
    expect(onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Order Completed', properties: { revenue: 120, currency: 'GBP' } }, shop)).action.attributes).toEqual({ value: 120, currency: 'GBP' });
    expect(map({ type: 'track', userId: 'u_1', event: 'Product Removed' }, shop)).toMatchObject({ status: 'dropped', reason: 'not_in_blueprint' });
    expect(onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Order Refunded', properties: { revenue: 20 } }, shop)).action).toMatchObject({ action: 'Order Refunded', attributes: { value: 20 } });
  });

  it('"*" forwards every other track event under its own name', () => {
    const all = resolveOne({ name: 'all', extends: 'retail', events: { '*': {} } });
    expect(onlyEvent(map({ type: 'track', userId: 'u_1', event: 'Video Played' }, all)).action.action).toBe('Video Played');
    expect(onlyEvent(map({ type: 'page', userId: 'u_1' }, all)).action.action).toBe('Page Viewed');
  });

  it('blueprints/custom.json (bundled into the Worker) is valid', () => {
    expect(() => resolveBlueprints([{ origin: 'blueprints/custom.json', value: bundled }])).not.toThrow();
  });
});

describe('choosing the blueprint: BLUEPRINT, BLUEPRINTS, per connection', () => {
  const settings = (extra: Record<string, unknown>) => ({ ...env, ...extra }) as Env;
  const shopJson = JSON.stringify(myShop);

  it.each<[string, Record<string, unknown>, string]>([
    ['a preset by name', { BLUEPRINT: 'b2b-saas' }, 'b2b-saas'],
    ['a custom blueprint from BLUEPRINTS (JSON text)', { BLUEPRINT: 'my-shop', BLUEPRINTS: shopJson }, 'my-shop'],
    ['a custom blueprint from BLUEPRINTS (a wrangler JSON var)', { BLUEPRINT: 'my-shop', BLUEPRINTS: [myShop] }, 'my-shop'],
    ['an inline blueprint in BLUEPRINT', { BLUEPRINT: shopJson }, 'my-shop'],
  ])('%s', (_, extra, name) => {
    expect(readConfig(settings(extra)).blueprints.default?.name).toBe(name);
  });

  it('each MoEngage connection has its own blueprint and anonymous policy', () => {
    const config = readConfig(
      settings({
        MOENGAGE_CONNECTIONS: JSON.stringify([
          { id: 'shop', workspaceId: 'ws-shop', dataApiKeySecret: 'MOENGAGE_DATA_API_KEY', blueprint: myShop, anonymous: 'customer' },
          { id: 'saas', workspaceId: 'ws-saas', dataApiKeySecret: 'MOENGAGE_DATA_API_KEY', blueprint: 'b2b-saas', phoneValidation: 'valid', defaultPhoneCountry: 'de' },
          { id: 'plain', workspaceId: 'ws-plain', dataApiKeySecret: 'MOENGAGE_DATA_API_KEY' },
        ]),
        ANONYMOUS: 'drop',
      }),
    );
    expect(Object.fromEntries(Object.entries(config.blueprints).map(([id, b]) => [id, b.name]))).toEqual({ shop: 'my-shop', saas: 'b2b-saas', plain: 'retail' });
    expect(config.connections.map((c) => [c.id, c.anonymous, c.phoneValidation, c.defaultPhoneCountry])).toEqual([
      ['shop', 'customer', 'possible', undefined],
      ['saas', 'drop', 'valid', 'DE'],
      ['plain', 'drop', 'possible', undefined],
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown blueprint', { BLUEPRINT: 'retial' }, 'BLUEPRINT: connection "default": unknown blueprint "retial" (presets: retail, b2b-saas)'],
    ['malformed BLUEPRINTS', { BLUEPRINTS: '[{"name":"x","events":{"A":{"filter":"a = "}}}]' }, 'blueprints: BLUEPRINTS[0] ("x") events.A.filter: malformed filter "a = ": column 3: expected a value after =, found the end of the condition'],
    ['an unknown ANONYMOUS', { ANONYMOUS: 'keep' }, 'MOENGAGE_* settings: anonymous: Invalid option: expected one of "hold"|"customer"|"drop"'],
    ['a hold window too long', { ANONYMOUS_HOLD_MINUTES: '20000' }, 'MOENGAGE_* settings: anonymousHoldMinutes: at most 10080 (7 days)'],
    ['UK instead of GB', { DEFAULT_PHONE_COUNTRY: 'UK' }, 'MOENGAGE_* settings: defaultPhoneCountry: an ISO 3166 two-letter country code with phone numbering (e.g. GB, US, DE; the UK is GB)'],
    ['an unknown PHONE_VALIDATION', { PHONE_VALIDATION: 'strict' }, 'MOENGAGE_* settings: phoneValidation: Invalid option: expected one of "possible"|"valid"'],
    ['an unknown MOE_PREFIX', { MOE_PREFIX: 'keep' }, 'MOENGAGE_* settings: moePrefix: Invalid option: expected one of "rename"|"drop"'],
  ])('%s is a config error naming the setting', (_, extra, message) => {
    expect(() => readConfig(settings(extra))).toThrow(ConfigError);
    expect(() => readConfig(settings(extra))).toThrow(message);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await reset();
  });

  it('a malformed blueprint makes the collector answer 503 misconfigured, naming the problem', async () => {
    const res = await worker.fetch(
      new Request('http://collector.test/v1/track', { method: 'POST', headers: { authorization: basic(WRITE_KEY) }, body: '{}' }),
      settings({ BLUEPRINTS: '{"name":"x","events":{"A":{"filter":"revenue >="}}}' }),
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: 'misconfigured',
      detail: 'blueprints: BLUEPRINTS ("x") events.A.filter: malformed filter "revenue >=": column 9: expected a value after >=, found the end of the condition',
    });
  });

  it('end to end: a custom blueprint from BLUEPRINTS decides what MoEngage receives', async () => {
    const { sandbox } = installSandbox();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request('http://collector.test/v1/batch', {
        method: 'POST',
        headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
        body: JSON.stringify({
          batch: [
            { type: 'track', messageId: 'w-1', userId: 'u_1', event: 'Wishlist Shared', properties: { sku: 'A', share_via: 'mail' } },
            { type: 'track', messageId: 'o-1', userId: 'u_1', event: 'Order Completed', properties: { revenue: 20, currency: 'GBP' } },
          ],
        }),
      }),
      settings({ BLUEPRINT: 'my-shop', BLUEPRINTS: shopJson }),
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(await flush()).toBe(true);
    const sent = sandbox.requests.map((r) => r.body as { actions: { action: string; attributes: unknown }[] });
    expect(sent.flatMap((b) => b.actions.map((a) => [a.action, a.attributes]))).toEqual([['Wishlist Shared', { sku: 'A' }]]);
  });
});

import { describe, expect, it } from 'vitest';
import myShop from '../../../blueprints/examples/my-shop.json';
import { preview } from '../../../worker/ingest/preview';
import { PRESETS } from '../../../worker/blueprints/registry';
import type { Blueprint } from '../../../worker/blueprints/schema';
import { type CliIo, runBlueprintCli, SEED_MESSAGE } from '../../../scripts/blueprintCli';
import { validateCustomer, validateEvent, validateMerge } from '../../../dev/moengage-sandbox/validate';
import { SEED_PAYLOAD } from '../../seed';

const retail = PRESETS.retail as Blueprint;
const NOW = Date.parse('2026-11-28T10:00:05.000Z');

describe('preview(message, blueprint): the exact MoEngage request(s), nothing sent', () => {
  it('the seed example → POST /v1/event/{ws} with the seed payload', () => {
    expect(preview({ ...SEED_MESSAGE, timestamp: '2026-11-28T10:00:00.000Z' }, retail, { workspaceId: 'demo-workspace', now: NOW })).toEqual({
      status: 'queued',
      omissions: [],
      requests: [
        {
          method: 'POST',
          path: '/v1/event/demo-workspace',
          body: {
            ...SEED_PAYLOAD,
            actions: [{ ...SEED_PAYLOAD.actions[0], user_time: '2026-11-28T10:00:00.000Z', current_time: '2026-11-28T10:00:00.000Z' }],
          },
        },
      ],
    });
  });

  it('a message without timestamp is dated now; the workspace placeholder stays readable', () => {
    const result = preview({ type: 'track', userId: 'u_1', event: 'Signed Up' }, retail, { now: NOW });
    expect(result).toMatchObject({ status: 'queued', requests: [{ path: '/v1/event/{workspace_id}', body: { actions: [{ user_time: '2026-11-28T10:00:05.000Z' }] } }] });
  });

  it('identify → Track User; with ANONYMOUS=customer also the merge', () => {
    const result = preview({ type: 'identify', userId: 'u_1', anonymousId: 'anon-1', traits: { first_name: 'Jane' } }, retail, { anonymous: 'customer', workspaceId: 'ws' });
    expect(result.status === 'queued' && result.requests).toEqual([
      { method: 'POST', path: '/v1/customer/ws', body: { type: 'customer', customer_id: 'u_1', attributes: { first_name: 'Jane' } } },
      { method: 'POST', path: '/v1/customer/merge?app_id=ws', body: { merge_data: [{ merged_user: 'anon-1', retained_user: 'u_1' }] } },
    ]);
    if (result.status !== 'queued') return;
    // What the preview shows is what the strict sandbox accepts.
    expect(() => validateCustomer(result.requests[0]?.body as never)).not.toThrow();
    expect(() => validateMerge(result.requests[1]?.body as never)).not.toThrow();
  });

  it('held, dropped and invalid messages say why', () => {
    expect(preview({ type: 'track', anonymousId: 'anon-1', event: 'Product Viewed' }, retail)).toMatchObject({ status: 'held', anonymousId: 'anon-1', requests: [{ body: { customer_id: '' } }] });
    expect(preview({ type: 'track', userId: 'u_1', event: 'Wishlist Shared' }, retail)).toEqual({
      status: 'dropped',
      reason: 'not_in_blueprint',
      detail: '"Wishlist Shared" is not in blueprint "retail"',
      requests: [],
      omissions: [],
    });
    expect(preview({ type: 'track', event: 'X' }, retail)).toEqual({ status: 'invalid', issues: [{ path: 'userId', message: 'either userId or anonymousId is required' }] });
  });

  it('every enabled preset event previews into a request the sandbox accepts', () => {
    for (const blueprint of Object.values(PRESETS)) {
      for (const [source, rule] of Object.entries(blueprint.events)) {
        if (rule.enabled === false) continue;
        const message = source === 'page' ? { type: 'page', userId: 'u_1', name: 'Home' } : { type: 'track', userId: 'u_1', event: source, properties: { revenue: 1 } };
        const result = preview(message, blueprint, { now: NOW });
        if (result.status !== 'queued') throw new Error(`${blueprint.name}/${source}: ${result.status}`);
        expect(() => validateEvent(result.requests[0]?.body as never, { nowMs: NOW, futureToleranceMs: 0 })).not.toThrow();
      }
    }
  });
});

function cli(args: string[], files: Record<string, string> = {}, stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
    stdin: () => stdin,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    bundled: { path: 'blueprints/custom.json', value: [] },
    isBundledPath: (path) => path === 'blueprints/custom.json',
  };
  const code = runBlueprintCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run blueprint -- validate|preview|show', () => {
  const shop = JSON.stringify(myShop);

  it('validate: a good file is summarised, exit 0', () => {
    const { code, out } = cli(['validate', 'my-shop.json'], { 'my-shop.json': shop });
    expect(code).toBe(0);
    expect(out).toContain('✓ my-shop: 16 events delivered (page → Page Viewed, Products Searched,');
    expect(out).toContain('  disabled: Product Removed\n');
    expect(out).toContain("  filters: Order Completed: revenue >= 100 AND currency = 'GBP'");
  });

  it('validate: every problem is listed, exit 1', () => {
    const bad = JSON.stringify({ name: 'bad', extends: 'retail', events: { 'Order Completed': { filter: 'revenue >' }, moe_x: {} } });
    const { code, err } = cli(['validate', 'bad.json'], { 'bad.json': bad });
    expect(code).toBe(1);
    expect(err).toBe(
      [
        '✗ 2 problems:',
        '  bad.json ("bad") events["Order Completed"].filter: malformed filter "revenue >": column 9: expected a value after >, found the end of the condition',
        '  bad.json ("bad") events.moe_x: needs an "action": as an action name, "moe_x" must not start with "moe_" (reserved by MoEngage)',
      ].join('\n'),
    );
  });

  it('validate: unreadable or non-JSON files are clear errors', () => {
    expect(cli(['validate', 'missing.json'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read missing.json: ENOENT: no such file') });
    expect(cli(['validate', 'x.json'], { 'x.json': '{' })).toMatchObject({ code: 1, err: expect.stringContaining('x.json: not valid JSON') });
  });

  it('preview: without a message, the seed example through a preset', () => {
    const { code, out, err } = cli(['preview', 'retail', '--workspace=demo-workspace', '--now=2026-11-28T10:00:05Z']);
    expect(code).toBe(0);
    expect(err).toContain('previewing the seed’s Order Completed example');
    expect(out).toContain('── Order Completed → queued\nPOST /v1/event/demo-workspace\n{\n  "type": "event",\n  "customer_id": "u_8842"');
    expect(out).toContain('"value": 89.99');
  });

  it('preview: a batch file through a custom blueprint file, with settings, as JSON', () => {
    const batch = JSON.stringify({
      batch: [
        { type: 'track', userId: 'u_1', event: 'Order Completed', properties: { revenue: 20, currency: 'GBP' } },
        { type: 'track', anonymousId: 'a-1', event: 'Wishlist Shared', properties: { share_via: 'mail', sku: 'A' } },
      ],
    });
    const { code, out } = cli(['preview', 'my-shop.json', 'batch.json', '--anonymous=customer', '--json'], { 'my-shop.json': shop, 'batch.json': batch });
    expect(code).toBe(0);
    const results = JSON.parse(out) as { status: string; reason?: string; requests: { body: { customer_id: string; actions: { attributes: unknown }[] } }[] }[];
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['dropped', 'filtered'],
      ['queued', undefined],
    ]);
    expect(results[1]?.requests[0]?.body).toMatchObject({ customer_id: 'a-1', actions: [{ attributes: { sku: 'A' } }] });
  });

  it('preview: a message on standard input, phone settings applied', () => {
    const message = JSON.stringify({ type: 'identify', userId: 'u_1', traits: { phone: '07700 900123' } });
    const { out } = cli(['preview', 'retail', '--phone-country=GB'], {}, message);
    expect(out).toContain('"mobile": "+447700900123"');
    const strict = cli(['preview', 'retail', '--phone-validation=valid'], {}, JSON.stringify({ type: 'identify', userId: 'u_1', traits: { phone: '+447700900123' } }));
    expect(strict.out).toContain('omitted invalid_phone: trait phone: "+447700900123" is not a valid phone number');
  });

  it('preview: bad options and unknown blueprints are usage errors (exit 2); invalid messages exit 1', () => {
    expect(cli(['preview', 'retail', '--anonymous=keep'])).toMatchObject({ code: 2, err: expect.stringContaining('--anonymous: Invalid option: expected one of "hold"|"customer"|"drop"') });
    expect(cli(['preview', 'retail', '--colour'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown option --colour') });
    expect(cli(['preview', 'retial'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown blueprint "retial" (known: retail, b2b-saas; or give a .json file)') });
    expect(cli(['preview', 'retail'], {}, '{"type":"track","event":"X"}')).toMatchObject({ code: 1, out: expect.stringContaining('userId: either userId or anonymousId is required') });
    expect(cli([])).toMatchObject({ code: 2, out: expect.stringContaining('usage: npm run blueprint') });
    expect(cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
  });

  it('show: prints a blueprint as resolved', () => {
    const { code, out } = cli(['show', 'b2b-saas']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(PRESETS['b2b-saas']);
  });
});

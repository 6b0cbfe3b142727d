/**
 * Cost of mapping one message (the ingest Worker maps every message once per connection, inside
 * the request's CPU budget). Node's V8, as workerd's: run `npx tsx test/bench/mapping.ts` alone or
 * through the bench runner. Returns a table as text.
 */
import { Message } from '../../shared/message';
import { mapMessage, type MappingOptions } from '../../worker/blueprints/map';
import { PRESETS, resolveBlueprints } from '../../worker/blueprints/registry';
import type { Blueprint } from '../../worker/blueprints/schema';
import myShop from '../../blueprints/examples/my-shop.json';

const retail = PRESETS.retail as Blueprint;
const shop = resolveBlueprints([{ origin: 'my-shop.json', value: myShop }])['my-shop'] as Blueprint;
const at = '2026-11-28T10:00:00.000Z';

const cases: [string, Blueprint, Record<string, unknown>, MappingOptions][] = [
  [
    'seed Order Completed (E.164 phone, timezone)',
    retail,
    {
      type: 'track', userId: 'u_8842', event: 'Order Completed', timestamp: at,
      properties: { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10' },
      context: { timezone: 'Europe/London', traits: { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', last_name: 'Doe' } },
    },
    {},
  ],
  ['local phone, two candidate countries', retail, { type: 'identify', userId: 'u_1', timestamp: at, traits: { phone: '(415) 555-2671', email: 'a@b.test', first_name: 'A' } }, { defaultPhoneCountry: 'GB', visitorCountry: 'US' }],
  ['page view, anonymous (held), no traits', retail, { type: 'page', anonymousId: 'anon-1', timestamp: at, properties: { url: 'https://shop.test/p', path: '/p', title: 'P' } }, {}],
  ['filtered order (custom blueprint)', shop, { type: 'track', userId: 'u_1', event: 'Order Completed', timestamp: at, properties: { revenue: 120, currency: 'GBP', products: [{ sku: 'A', price: 60 }, { sku: 'B', price: 60 }] } }, {}],
  ['not in blueprint (drop)', retail, { type: 'track', userId: 'u_1', event: 'Wishlist Shared', timestamp: at }, {}],
];

function measure(blueprint: Blueprint, message: Message, options: MappingOptions): { perOpUs: number; ops: number } {
  for (let i = 0; i < 2_000; i++) mapMessage(message, blueprint, options); // warm up the JIT
  const ops = 20_000;
  const start = performance.now();
  for (let i = 0; i < ops; i++) mapMessage(message, blueprint, options);
  return { perOpUs: ((performance.now() - start) * 1000) / ops, ops };
}

export async function bench(): Promise<string> {
  const rows = cases.map(([name, blueprint, fields, options]) => {
    const { perOpUs, ops } = measure(blueprint, Message.parse(fields), options);
    return `| ${name} | ${perOpUs.toFixed(1)} µs | ${Math.round(1e6 / perOpUs).toLocaleString('en')} /s | ${ops} |`;
  });
  return ['| mapMessage case | per message | messages/s (one core) | iterations |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await bench());

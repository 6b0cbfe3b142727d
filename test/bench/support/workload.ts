/**
 * A realistic retail workload for the delivery benchmarks: Segment-shaped messages from a fixed
 * population of customers, in the mix a shop sends (mostly page and product views, some carts and
 * orders, a few very large orders, some identifies), deterministic for a given seed.
 */

export interface WorkloadOptions {
  events: number;
  customers: number;
  seed?: number;
  /** Prefix of messageIds, so several runs against one collector never collide (dedupe). */
  idPrefix?: string;
  /** ISO time the events happened (the sandbox refuses future-dated events). */
  timestamp?: string;
}

type Json = Record<string, unknown>;

/** Small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['Shoes', 'Dresses', 'Outerwear', 'Accessories', 'Home', 'Beauty'];
const WORDS = 'soft organic cotton relaxed fit tailored linen blend recycled wool classic everyday premium lightweight'.split(' ');

export function retailWorkload(options: WorkloadOptions): Json[] {
  const rand = random(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const timestamp = options.timestamp ?? new Date().toISOString();
  const prefix = options.idPrefix ?? 'w';
  const product = (description: number) => {
    const id = `P-${Math.floor(rand() * 50_000)}`;
    return {
      product_id: id,
      sku: `${id}-${pick(['S', 'M', 'L', 'XL'])}`,
      name: words(3),
      category: pick(CATEGORIES),
      brand: pick(['Northwind', 'Contoso', 'Fabrikam']),
      price: Math.round(rand() * 20_000) / 100,
      quantity: 1 + Math.floor(rand() * 3),
      url: `https://shop.example.com/p/${id}`,
      image_url: `https://cdn.example.com/i/${id}.jpg`,
      ...(description ? { description: words(description) } : {}),
    };
  };

  return Array.from({ length: options.events }, (_, i) => {
    const n = Math.floor(rand() * options.customers);
    const base = {
      messageId: `${prefix}-${i}`,
      userId: `customer-${n}`,
      anonymousId: `anon-${n}`,
      timestamp,
      context: { traits: { email: `customer-${n}@example.com` }, timezone: 'Europe/London', page: { path: '/p', url: 'https://shop.example.com/p' } },
    };
    const r = rand();
    const page = { url: `https://shop.example.com/c/${pick(CATEGORIES).toLowerCase()}`, path: '/c', title: words(4), referrer: 'https://www.google.com/' };
    if (r < 0.45) return { ...base, type: 'page', name: 'Category', properties: page };
    if (r < 0.65) return { ...base, type: 'track', event: 'Product Viewed', properties: product(0) };
    if (r < 0.75) return { ...base, type: 'track', event: 'Products Searched', properties: { query: words(2) } };
    if (r < 0.85) return { ...base, type: 'track', event: 'Product Added', properties: { cart_id: `cart-${n}`, ...product(0) } };
    if (r < 0.9) return { ...base, type: 'track', event: 'Checkout Started', properties: { order_id: `O-${i}`, value: 120.5, currency: 'EUR', products: Array.from({ length: 1 + Math.floor(rand() * 5) }, () => product(0)) } };
    if (r < 0.94) return { ...base, type: 'track', event: 'Order Completed', properties: { order_id: `O-${i}`, revenue: 249.9, currency: 'EUR', products: Array.from({ length: 1 + Math.floor(rand() * 8) }, () => product(12)) } };
    if (r < 0.95) return { ...base, type: 'track', event: 'Order Completed', properties: { order_id: `O-${i}`, revenue: 4_999, currency: 'EUR', products: Array.from({ length: 40 }, () => product(60)) } };
    return { ...base, type: 'identify', traits: { email: `customer-${n}@example.com`, first_name: 'Jane', last_name: `Doe${n}`, phone: '+447700900123', plan: 'gold' } };
  });
}

/** Percentile of a numeric sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Seed 004's example call (`tag.identify` traits riding on `tag.track('Order Completed', …)`), as a message. */
export const SEED_MESSAGE = {
  type: 'track',
  userId: 'u_8842',
  anonymousId: 'anon-1',
  event: 'Order Completed',
  properties: { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10' },
  context: { traits: { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', last_name: 'Doe' } },
};

/**
 * Seed 004's "Resulting MoEngage payload" exactly as the seed prints it (time fields aside), shared
 * by every test that holds the collector to it.
 */
export const SEED_PAYLOAD = {
  type: 'event',
  customer_id: 'u_8842',
  user_identifiers: { u_em: 'jane@example.com', u_mb: '+447700900123' },
  actions: [
    {
      action: 'Order Completed',
      platform: 'web',
      attributes: { order_id: 'ORD-1001', value: 89.99, currency: 'GBP', coupon: 'WELCOME10' },
    },
  ],
};

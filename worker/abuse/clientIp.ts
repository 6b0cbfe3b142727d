/**
 * The visitor's address as Cloudflare reports it (`CF-Connecting-IP`, set by Cloudflare's edge and by
 * `wrangler dev`; a client cannot forge it in production). IPv6 addresses are cut to their /64:
 * one subscriber usually holds a whole /64, so limiting single addresses would be trivial to dodge.
 */
export function clientIpOf(request: Request): string | undefined {
  const ip = request.headers.get('cf-connecting-ip')?.trim();
  if (!ip) return undefined;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) while (groups.length < 4) groups.push('0');
  return `${groups.slice(0, 4).join(':')}::/64`;
}

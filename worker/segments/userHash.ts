/**
 * Identity proof for the read API: `user_hash = hex(HMAC-SHA256(SEGMENTS_IDENTITY_SECRET, userId))`,
 * computed by the site's backend for the signed-in user (the pattern of Intercom's "identity
 * verification"). Whoever lacks the secret cannot produce it for someone else's userId.
 */
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

export async function userHash(secret: string, userId: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await keyFor(secret), encoder.encode(userId));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time check (crypto.subtle.verify) of a hex user_hash. */
export async function verifyUserHash(secret: string, userId: string, hash: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/i.test(hash)) return false;
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(hash.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify('HMAC', await keyFor(secret), mac, encoder.encode(userId));
}

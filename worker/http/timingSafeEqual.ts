const encoder = new TextEncoder();

/**
 * Constant-time string comparison: both sides are hashed first so neither length nor content
 * leaks through timing (used for write keys and the debugger token).
 */
export async function timingSafeEqualString(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** True when `candidate` equals one of `secrets`; every secret is compared, so no early exit. */
export async function matchesOneOf(candidate: string, secrets: readonly string[]): Promise<boolean> {
  const results = await Promise.all(secrets.map((s) => timingSafeEqualString(candidate, s)));
  return results.includes(true);
}

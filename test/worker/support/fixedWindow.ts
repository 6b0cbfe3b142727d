/**
 * Miniflare's rate limiting bindings count fixed 60 s windows of real time (the tests' fake clock
 * does not reach them): a test counting through one must not straddle two, or it is counted twice
 * over. Waits, if need be, for the next minute, so that at least `ms` of the current one are left.
 */
export async function roomInWindow(ms: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 50));
}

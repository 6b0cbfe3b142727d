import { clientIpOf } from '../abuse/clientIp';
import type { Config } from '../config/config';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { timingSafeEqualString } from '../http/timingSafeEqual';

/**
 * `Authorization: Bearer ${DEBUGGER_TOKEN}`, compared in constant time. Guessing is slowed down per
 * client address (abuse/lockout.ts): after 5 wrong tokens each further one doubles the lockout
 * (1 s, 2 s, 4 s … 15 min), during which even a right token is not compared (429 + Retry-After).
 * A right token clears the address's record.
 */
export async function authorizeDebugger(request: Request, config: Config, env?: Env): Promise<void> {
  if (!config.debuggerToken) throw new HttpError(503, 'debugger_disabled', 'set the DEBUGGER_TOKEN secret to use the debugger');
  const guard = env?.RATE_LIMITER?.getByName('debugger-login');
  const key = clientIpOf(request) ?? 'unknown-address';
  if (guard) {
    const wait = await guard.lockedFor(key);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'too_many_attempts', `too many wrong tokens from this address; retry after ${seconds} s`, undefined, { 'retry-after': String(seconds) });
    }
  }
  const header = request.headers.get('authorization') ?? '';
  const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
  if (!token || !(await timingSafeEqualString(token, config.debuggerToken))) {
    if (guard && token) await guard.recordFailure(key);
    throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <DEBUGGER_TOKEN>', undefined, { 'www-authenticate': 'Bearer' });
  }
  if (guard) await guard.clearFailures(key);
}

import type { Config } from '../config/config';
import { HttpError } from '../http/HttpError';
import { timingSafeEqualString } from '../http/timingSafeEqual';

/** `Authorization: Bearer ${DEBUGGER_TOKEN}`, compared in constant time. */
export async function authorizeDebugger(request: Request, config: Config): Promise<void> {
  if (!config.debuggerToken) throw new HttpError(503, 'debugger_disabled', 'set the DEBUGGER_TOKEN secret to use the debugger');
  const header = request.headers.get('authorization') ?? '';
  const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
  if (!token || !(await timingSafeEqualString(token, config.debuggerToken))) {
    throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <DEBUGGER_TOKEN>', undefined, { 'www-authenticate': 'Bearer' });
  }
}

import { vi } from 'vitest';
import { createMoEngageSandbox, type SandboxOptions } from '../../../dev/moengage-sandbox/moengage';

export const SANDBOX_BASE = 'http://moengage.sandbox';

/**
 * Routes the Worker's outbound fetch (from the DeliveryQueue DO, same isolate) to the strict
 * MoEngage sandbox: the network edge is the only thing the worker tests replace.
 */
export function installSandbox(options: SandboxOptions = {}) {
  const sandbox = createMoEngageSandbox(options);
  const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (!request.url.startsWith(`${SANDBOX_BASE}/`)) throw new TypeError(`test tried to reach ${request.url}`);
    return sandbox.handle(request);
  });
  return { sandbox, fetchSpy };
}

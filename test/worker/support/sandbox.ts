import { createMoEngageSandbox, type SandboxOptions } from '../../../dev/moengage-sandbox/moengage';
import { routeFetchToSandbox } from './networkEdge';

export { ELSEWHERE_BASE, SANDBOX_BASE } from './networkEdge';

/**
 * Routes the Worker's outbound fetch (from the DeliveryQueue DO, same isolate) to the strict
 * MoEngage sandbox: the network edge is the only thing the worker tests replace (networkEdge.ts).
 */
export function installSandbox(options: SandboxOptions = {}) {
  const sandbox = createMoEngageSandbox(options);
  const fetchSpy = routeFetchToSandbox(sandbox);
  return { sandbox, fetchSpy };
}

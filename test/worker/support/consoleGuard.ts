/**
 * Setup file of the worker project: every console line written by the collector (Worker and Durable
 * Objects run in the test's isolate) is checked for secret values after each test.
 */
import { afterEach } from 'vitest';
import { secretsIn } from './secrets';

const leaks: string[] = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    const line = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}\n${a.stack}` : safeJson(a))).join(' ');
    if (secretsIn(line).length) leaks.push(`console.${method}: ${line.slice(0, 200)}`);
    original(...args);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

afterEach(() => {
  if (leaks.length) {
    const found = leaks.splice(0);
    throw new Error(`a secret value was written to the console:\n${found.join('\n')}`);
  }
});

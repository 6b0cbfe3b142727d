/// <reference types="vite/client" />
/**
 * SECURITY.md "Logs": an error is logged by its name and where in our code it was thrown, never its
 * message (which can quote input or a secret); refused paths have emails and phones masked. Every
 * console and logLine call in worker/ is audited here.
 */
import { reset } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFacts } from '../../worker/http/errorFacts';
import { errorResponse } from '../../worker/http/HttpError';
import { post } from './support/ingest';

afterEach(async () => {
  vi.restoreAllMocks();
  await reset();
});

const sources = import.meta.glob<string>(['../../worker/**/*.ts', '!../../worker/debugger/page/**', '!../../worker/**/*.generated.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

function linesOf(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.flatMap((args) => (typeof args[0] === 'string' && args[0].startsWith('{') ? [JSON.parse(args[0]) as Record<string, unknown>] : []));
}

describe('what the Worker logs', () => {
  it('an unhandled error: its name and code location, not its message', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = errorResponse(new TypeError('cannot read "jane@example.com" from {"writeKey":"demo-write-key"}'));
    expect(response.status).toBe(500);
    const [line, ...more] = linesOf(error);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'error', msg: 'unhandled_error', error: 'TypeError', where: expect.stringMatching(/:\d+\)?$/) });
    expect(JSON.stringify(line)).not.toMatch(/jane|writeKey|cannot read/);
  });

  it.each([
    [new RangeError('secret value 12345'), 'RangeError'],
    [Object.assign(new Error('x'), { name: 'Weird name: jane@example.com' }), 'Error'],
    ['a thrown string', 'string'],
    [undefined, 'undefined'],
  ])('errorFacts(%s) keeps no message', (thrown, name) => {
    const facts = errorFacts(thrown);
    expect(facts.error).toBe(name);
    expect(JSON.stringify(facts)).not.toMatch(/secret|jane|12345|thrown string/);
  });

  it('a refused request’s path is logged with emails and phones masked', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect((await post('/v1/jane.doe@example.com', {})).status).toBe(404);
    expect((await post('/v1/07700900123', {})).status).toBe(404);
    const refused = linesOf(warn).filter((l) => l.msg === 'request_refused');
    expect(refused.map((l) => l.path)).toEqual(['/v1/j***@example.com', '/v1/07******123']);
  });

  it('only worker/logs/logLine.ts writes to the console, and no log call is handed an error message', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const consoleCalls = Object.entries(sources).flatMap(([file, text]) => [...text.matchAll(/console\.\w+\(/g)].map(() => file.replace('../../', '')));
    expect([...new Set(consoleCalls)]).toEqual(['worker/logs/logLine.ts']);
    const logCalls = Object.entries(sources).flatMap(([file, text]) =>
      [...text.matchAll(/logLine\([\s\S]*?\);/g)].filter(() => !file.endsWith('logs/logLine.ts')).map((m) => `${file}: ${m[0]}`),
    );
    expect(logCalls.length).toBeGreaterThanOrEqual(5);
    for (const call of logCalls) expect(call).not.toMatch(/\.message\b|\.stack\b|String\((?:e|err|error)\)/);
  });
});

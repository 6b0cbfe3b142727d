/// <reference types="vite/client" />
/**
 * SECURITY.md: logs carry error names (and where in our code they were thrown), never messages,
 * which can quote input or secrets. Every console call in worker/ is audited here.
 */
import { describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../worker/http/HttpError';
import { errorSummary } from '../../worker/http/errorSummary';

const sources = import.meta.glob<string>(['../../worker/**/*.ts', '!../../worker/debugger/page/**', '!../../worker/**/*.generated.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('what the Worker logs', () => {
  it('an unhandled error is logged by name and code location, not by its message', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const response = errorResponse(new TypeError('cannot read "jane@example.com" from {"writeKey":"demo-write-key"}'));
      expect(response.status).toBe(500);
      const line = error.mock.calls.map((args) => args.join(' ')).join('\n');
      expect(line).toMatch(/^unhandled error TypeError at .+:\d+\)?$/);
      expect(line).not.toContain('jane');
      expect(line).not.toContain('writeKey');
    } finally {
      error.mockRestore();
    }
  });

  it.each([
    [new RangeError('secret value 12345'), /^RangeError at .+:\d+\)?$/],
    [Object.assign(new Error('x'), { name: 'Weird name: jane@example.com' }), /^Error at /],
    ['a thrown string', /^string$/],
    [undefined, /^undefined$/],
  ])('errorSummary(%s) keeps no message', (thrown, shape) => {
    const summary = errorSummary(thrown);
    expect(summary).toMatch(shape);
    expect(summary).not.toMatch(/secret|jane|12345|thrown string/);
  });

  it('every console call in worker/ logs a fixed text and errorSummary(...) only', () => {
    const calls: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/console\.\w+\([^;]*\);/g)) calls.push(`${file.replace('../../', '')}: ${m[0]}`);
    }
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call).toMatch(/: console\.(error|warn|log|info)\('[^'`$]*', errorSummary\(\w+\)\);$/);
  });
});

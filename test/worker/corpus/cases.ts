/**
 * The malformed-input corpus: every case is one request and the exact answer it must get. Cases are
 * generated where a family is regular (wrong types per field, bad UTF-8 sequences, nesting, limits).
 * `error` is the top-level error code of a refused request, or — for a 200 — the error of the first
 * rejected message (null: nothing rejected).
 */
import { LIMITS } from '../../../shared/limits';

export interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body: () => BodyInit | null | Promise<BodyInit | null>;
  status: number;
  error: string | null;
  accepted?: number;
  duplicates?: number;
  /** Refusals outside the ingest routes (unknown method/path) are not counted in the rejection log. */
  unlogged?: boolean;
}

let counter = 0;
export const uid = (prefix = 'c') => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export const track = (overrides: Record<string, unknown> = {}) => ({
  type: 'track',
  messageId: uid('m'),
  userId: 'u_1',
  event: 'Product Viewed',
  properties: { sku: 'SKU-1' },
  timestamp: new Date().toISOString(),
  ...overrides,
});

const json = (value: unknown) => () => JSON.stringify(value);
const batchOf = (...messages: unknown[]) => json({ batch: messages });
const bytes = (...values: number[]) => () => new Uint8Array(values);
const withText = (prefix: number[], text: string) => () => new Uint8Array([...prefix, ...new TextEncoder().encode(text)]);

export async function compress(text: string | Uint8Array, format: 'gzip' | 'deflate' = 'gzip'): Promise<Uint8Array> {
  const input = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const stream = new Blob([input]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `depth` nested arrays: [[[…]]]. */
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A value nested `depth` objects deep: {"a":{"a":…}}. */
const nestedObjects = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

function invalidJson(): Case[] {
  const texts = [
    '{', '}', '[', '{"batch": [', '{"batch": [}', '{"batch": ]}', "{'batch': []}", '{batch: []}', '{"batch": [1,]}',
    '{"batch": [],}', '{"a" "b"}', '{"a": 01}', '{"a": .5}', '{"a": 1.}', '{"a": +1}', '{"a": 0x10}', '{"a": NaN}',
    '{"a": Infinity}', '{"a": -Infinity}', '{"a": undefined}', '{"a": "\\x41"}', '{"a": "\\u12"}', '{"a": "line\nbreak"}',
    '{"a": "tab\there"}', '{"a": true false}', '{"a": nul}', '{"a": tru}', 'null null', '{} {}', '{"a":1}x',
    '/* c */ {}', '{"a": 1 // c\n}', '\u0000', 'NaN', 'Infinity', '-', '"unterminated', '{"a":"\\"}', '[1, 2',
    '{"a": [1, 2}', '{"a": {"b": 1]}', '\u00a0{}', '{"a"\u2028: 1}',
  ];
  return texts.map((text, i) => ({ name: `invalid JSON #${i}: ${JSON.stringify(text).slice(0, 40)}`, body: () => text, status: 400, error: 'invalid_json' }));
}

function emptyBodies(): Case[] {
  return ['', ' ', '\n\t  \r\n'].map((text, i) => ({ name: `empty body #${i}`, body: () => text, status: 400, error: 'empty_body' }));
}

function notABatch(): Case[] {
  const bodies: unknown[] = [[], [track()], 'batch', 42, null, true, {}, { batch: null }, { batch: 'x' }, { batch: {} }, { batch: 1 }, { events: [track()] }, { batch: [track()], sentAt: 'yesterday' }, { batch: [track()], sentAt: 5 }, { batch: [track()], writeKey: 'x'.repeat(201) }];
  return bodies.map((body, i) => ({ name: `not a batch #${i}: ${JSON.stringify(body).slice(0, 40)}`, body: json(body), status: 400, error: 'invalid_batch' }));
}

/** Each field of a track message, given each wrong type: the batch answers 200 and rejects that message. */
function wrongTypes(): Case[] {
  const wrong: Record<string, unknown[]> = {
    type: [1, true, null, [], {}, 'Track', 'TRACK', ''],
    event: [1, true, null, [], {}, '', 'x'.repeat(256)],
    userId: [true, [], {}, '', 'x'.repeat(256), 1.5e300],
    anonymousId: [true, [], {}, ''],
    messageId: [1, true, [], {}, '', 'x'.repeat(201)],
    timestamp: [1, true, [], {}, 'yesterday', '12', '2026-13-45T00:00:00Z', 1700000000000],
    properties: [1, 'x', true, []],
    context: [1, 'x', true, []],
    'context.traits': [1, 'x', []],
    'context.page': [1, 'x', []],
    'context.userAgent': [1, {}, []],
    integrations: [1, 'x', []],
  };
  const cases: Case[] = [];
  for (const [field, values] of Object.entries(wrong)) {
    for (const value of values) {
      const message = track();
      if (field.startsWith('context.')) (message as Record<string, unknown>).context = { [field.slice(8)]: value };
      else (message as Record<string, unknown>)[field] = value;
      cases.push({ name: `wrong type ${field} = ${JSON.stringify(value)?.slice(0, 30)}`, body: batchOf(message), status: 200, error: 'invalid_message', accepted: 0 });
    }
  }
  cases.push({ name: 'no userId nor anonymousId', body: batchOf(track({ userId: undefined })), status: 200, error: 'invalid_message', accepted: 0 });
  cases.push({ name: 'message is a string', body: batchOf('track'), status: 200, error: 'invalid_message', accepted: 0 });
  cases.push({ name: 'message is null', body: batchOf(null), status: 200, error: 'invalid_message', accepted: 0 });
  cases.push({ name: 'message is an array', body: batchOf([track()]), status: 200, error: 'invalid_message', accepted: 0 });
  cases.push({ name: 'alias without previousId', body: batchOf({ type: 'alias', userId: 'u_1' }), status: 200, error: 'invalid_message', accepted: 0 });
  cases.push({ name: 'group without groupId', body: batchOf({ type: 'group', userId: 'u_1' }), status: 200, error: 'invalid_message', accepted: 0 });
  return cases;
}

function invalidUtf8(): Case[] {
  const sequences: [string, number[]][] = [
    ['lone continuation byte', [0x80]],
    ['0xFF', [0xff]],
    ['0xFE', [0xfe]],
    ['overlong slash', [0xc0, 0xaf]],
    ['overlong NUL', [0xc0, 0x80]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['truncated 2-byte', [0xc3]],
    ['truncated 3-byte', [0xe2, 0x82]],
    ['truncated 4-byte', [0xf0, 0x9f, 0x98]],
    ['UTF-8 encoded surrogate', [0xed, 0xa0, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['latin-1 é', [0xe9]],
  ];
  return sequences.map(([what, seq]) => {
    const head = new TextEncoder().encode('{"batch":[{"type":"track","userId":"u_1","event":"');
    const tail = new TextEncoder().encode('"}]}');
    return { name: `invalid UTF-8: ${what}`, body: () => new Uint8Array([...head, ...seq, ...tail]), status: 400, error: 'invalid_encoding' };
  });
}

function byteOrderMarks(): Case[] {
  const text = JSON.stringify({ batch: [track()] });
  const utf16 = (le: boolean) => () => {
    const out = new Uint8Array(2 + text.length * 2);
    out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[2 + i * 2] = le ? c & 0xff : c >> 8;
      out[3 + i * 2] = le ? c >> 8 : c & 0xff;
    }
    return out;
  };
  return [
    { name: 'UTF-8 BOM is skipped', body: withText([0xef, 0xbb, 0xbf], text), status: 200, error: null, accepted: 1 },
    { name: 'UTF-8 BOM twice', body: withText([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], text), status: 400, error: 'invalid_json' },
    { name: 'UTF-16 LE with BOM', body: utf16(true), status: 400, error: 'invalid_encoding' },
    { name: 'UTF-16 BE with BOM', body: utf16(false), status: 400, error: 'invalid_encoding' },
    { name: 'UTF-32 LE BOM', body: bytes(0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0, 0x7d, 0, 0, 0), status: 400, error: 'invalid_encoding' },
    { name: 'BOM only', body: bytes(0xef, 0xbb, 0xbf), status: 400, error: 'empty_body' },
  ];
}

function numbers(): Case[] {
  const values: [string, string, number, string | null][] = [
    ['1e400 overflows', '1e400', 200, 'invalid_number'],
    ['-1e400 overflows', '-1e400', 200, 'invalid_number'],
    ['huge integer literal', '9'.repeat(400), 200, 'invalid_number'],
    ['1e308 is fine', '1e308', 200, null],
    ['-0 is fine', '-0', 200, null],
    ['5e-324 is fine', '5e-324', 200, null],
    ['unsafe integer property is kept (a property, not an id)', '12345678901234567890', 200, null],
    ['1e-400 underflows to 0: kept as its text instead', '1e-400', 200, null],
  ];
  const bigId: Case = {
    name: 'number: a numeric userId beyond 2^53 is kept as its digits',
    body: () => `{"batch":[{"type":"track","messageId":"${uid('n')}","userId":12345678901234567890,"event":"Product Viewed"}]}`,
    status: 200,
    error: null,
    accepted: 1,
  };
  return [bigId, ...values.map(([name, literal, status, error]) => ({
    name: `number: ${name}`,
    body: () => `{"batch":[{"type":"track","messageId":"${uid('n')}","userId":"u_1","event":"Product Viewed","properties":{"v":${literal}}}]}`,
    status,
    error,
    accepted: error ? 0 : 1,
  }))];
}

function nesting(): Case[] {
  const cases: Case[] = [];
  for (const depth of [LIMITS.maxBodyDepth + 1, 100, 1000, 100_000]) {
    cases.push({ name: `body of ${depth} nested arrays`, body: () => nestedArrays(depth), status: 400, error: 'too_deep' });
    cases.push({ name: `batch holding ${depth} nested arrays`, body: () => `{"batch":[${nestedArrays(depth)}]}`, status: 400, error: 'too_deep' });
    // 100,000 nested objects would be 600 KB (refused for size first); 80,000 fit under the body cap.
    const objects = Math.min(depth, 80_000);
    cases.push({ name: `body of ${objects} nested objects`, body: () => '{"a":'.repeat(objects) + '1' + '}'.repeat(objects), status: 400, error: 'too_deep' });
  }
  cases.push({ name: 'unbalanced 100k openers', body: () => '['.repeat(100_000), status: 400, error: 'too_deep' });
  cases.push({ name: 'brackets inside strings do not count', body: json({ batch: [track({ properties: { s: '[['.repeat(2000) } })] }), status: 200, error: null, accepted: 1 });
  cases.push({ name: 'escaped quotes then brackets', body: json({ batch: [track({ properties: { s: '\\"[[[' + '{'.repeat(100) } })] }), status: 200, error: null, accepted: 1 });
  // Per message: the message is level 1 and properties level 2, so properties made of maxDepth-1 nested objects is the edge.
  cases.push({ name: `message nested exactly ${LIMITS.maxDepth} levels`, body: batchOf(track({ properties: nestedObjects(LIMITS.maxDepth - 1) })), status: 200, error: null, accepted: 1 });
  cases.push({ name: `message nested ${LIMITS.maxDepth + 1} levels`, body: batchOf(track({ properties: nestedObjects(LIMITS.maxDepth) })), status: 200, error: 'too_deep', accepted: 0 });
  cases.push({ name: 'message with nested arrays past the cap', body: batchOf(track({ properties: { a: JSON.parse(nestedArrays(LIMITS.maxDepth)) } })), status: 200, error: 'too_deep', accepted: 0 });
  cases.push({ name: 'single route, too deep message', path: '/v1/track', body: json(track({ properties: nestedObjects(LIMITS.maxDepth) })), status: 400, error: 'too_deep' });
  cases.push({ name: 'envelope context too deep', body: json({ batch: [track()], context: nestedObjects(LIMITS.maxDepth + 1) }), status: 400, error: 'too_deep' });
  return cases;
}

function sizes(): Case[] {
  return [
    { name: `object with ${LIMITS.maxObjectKeys} keys is fine`, body: batchOf(track({ properties: manyKeys(LIMITS.maxObjectKeys) })), status: 200, error: null, accepted: 1 },
    { name: `object with ${LIMITS.maxObjectKeys + 1} keys`, body: batchOf(track({ properties: manyKeys(LIMITS.maxObjectKeys + 1) })), status: 200, error: 'too_many_keys', accepted: 0 },
    {
      name: `more than ${LIMITS.maxMessageKeys} keys in one message`,
      body: batchOf(track({ properties: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`o${i}`, manyKeys(220)])) })),
      status: 200,
      error: 'too_many_keys',
      accepted: 0,
    },
    { name: `string of ${LIMITS.maxStringLength} characters is fine`, body: batchOf(track({ properties: { s: 'x'.repeat(LIMITS.maxStringLength) } })), status: 200, error: null, accepted: 1 },
    { name: `string of ${LIMITS.maxStringLength + 1} characters`, body: batchOf(track({ properties: { s: 'x'.repeat(LIMITS.maxStringLength + 1) } })), status: 200, error: 'string_too_long', accepted: 0 },
    { name: `key of ${LIMITS.maxKeyLength + 1} characters`, body: batchOf(track({ properties: { ['k'.repeat(LIMITS.maxKeyLength + 1)]: 1 } })), status: 200, error: 'key_too_long', accepted: 0 },
    { name: 'lone high surrogate in a value', body: () => `{"batch":[{"type":"track","userId":"u_1","event":"Product Viewed","properties":{"s":"\\ud800"}}]}`, status: 200, error: 'invalid_string', accepted: 0 },
    { name: 'lone low surrogate in a key', body: () => `{"batch":[{"type":"track","userId":"u_1","event":"Product Viewed","properties":{"\\udc00":1}}]}`, status: 200, error: 'invalid_string', accepted: 0 },
    { name: 'surrogate pair (emoji) is fine', body: () => `{"batch":[{"type":"track","userId":"u_1","event":"Product Viewed","properties":{"s":"\\ud83d\\ude00"}}]}`, status: 200, error: null, accepted: 1 },
    { name: `message over ${LIMITS.maxMessageBytes} bytes`, body: batchOf(track({ properties: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, 'x'.repeat(8000)])) })), status: 200, error: 'message_too_large', accepted: 0 },
    { name: 'single route, message too large', path: '/v1/track', body: json(track({ properties: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, 'x'.repeat(8000)])) })), status: 413, error: 'message_too_large' },
    { name: 'body over the cap', body: () => JSON.stringify({ batch: [track()], pad: 'x'.repeat(LIMITS.maxBodyBytes) }), status: 413, error: 'body_too_large' },
    { name: 'Content-Length over the cap (body small)', headers: { 'content-length': String(LIMITS.maxBodyBytes + 1) }, body: batchOf(track()), status: 413, error: 'body_too_large' },
    { name: `batch of ${LIMITS.maxBatchLength + 1} messages`, body: () => JSON.stringify({ batch: Array.from({ length: LIMITS.maxBatchLength + 1 }, () => 1) }), status: 413, error: 'batch_too_long' },
    { name: 'empty batch', body: batchOf(), status: 400, error: 'empty_batch' },
  ];
}

function reservedKeys(): Case[] {
  const texts = [
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"prototype":{"polluted":1}}',
    '{"a":{"__proto__":{"polluted":1}}}',
    '{"a":[{"__proto__":{"polluted":1}}]}',
  ];
  const cases: Case[] = texts.map((props, i) => ({
    name: `reserved keys in properties #${i}`,
    body: () => `{"batch":[{"type":"track","messageId":"${uid('p')}","userId":"u_1","event":"Product Viewed","properties":${props}}]}`,
    status: 200,
    error: null,
    accepted: 1,
  }));
  cases.push({ name: 'reserved key at message level', body: () => `{"batch":[{"__proto__":{"type":"identify"},"type":"track","userId":"u_1","event":"Product Viewed"}]}`, status: 200, error: null, accepted: 1 });
  cases.push({ name: 'reserved key in context.traits', body: () => `{"batch":[{"type":"identify","userId":"u_1","context":{"traits":{"__proto__":{"email":"x@y.z"}}}}]}`, status: 200, error: null, accepted: 1 });
  cases.push({ name: 'reserved key in the envelope', body: () => `{"__proto__":{"batch":[]},"batch":[{"type":"track","userId":"u_1","event":"Product Viewed"}]}`, status: 200, error: null, accepted: 1 });
  cases.push({ name: 'toString / valueOf / hasOwnProperty as property names', body: batchOf(track({ properties: { toString: 'a', valueOf: 'b', hasOwnProperty: 'c', isPrototypeOf: 'd' } })), status: 200, error: null, accepted: 1 });
  return cases;
}

function duplicates(): Case[] {
  const a = track();
  const b = track();
  return [
    { name: 'the same messageId twice in one batch', body: batchOf(a, a), status: 200, error: null, accepted: 1, duplicates: 1 },
    { name: 'the same messageId three times with different content', body: batchOf(b, { ...b, event: 'Product Added' }, { ...b, userId: 'u_2' }), status: 200, error: null, accepted: 1, duplicates: 2 },
  ];
}

function timestamps(): Case[] {
  const day = 86_400_000;
  return [
    { name: 'timestamp in 2999 is clamped, not refused', body: batchOf(track({ timestamp: '2999-01-01T00:00:00.000Z' })), status: 200, error: null, accepted: 1 },
    { name: 'timestamp a day ahead is clamped', body: batchOf(track({ timestamp: new Date(Date.now() + day).toISOString() })), status: 200, error: null, accepted: 1 },
    { name: 'timestamp in 1999 is dropped with a reason (accepted, logged)', body: batchOf(track({ timestamp: '1999-12-31T23:59:59.000Z' })), status: 200, error: null, accepted: 1 },
    { name: 'timestamp 0001-01-01', body: batchOf(track({ timestamp: '0001-01-01T00:00:00.000Z' })), status: 200, error: null, accepted: 1 },
    { name: 'client clock in 1970 with matching sentAt is corrected', body: json({ batch: [track({ timestamp: '1970-01-01T00:00:05.000Z' })], sentAt: '1970-01-01T00:00:06.000Z' }), status: 200, error: null, accepted: 1 },
    { name: 'sentAt far in the future', body: json({ batch: [track()], sentAt: '2999-01-01T00:00:00.000Z' }), status: 200, error: null, accepted: 1 },
    { name: 'timestamp as epoch millis', body: batchOf(track({ timestamp: Date.now() })), status: 200, error: 'invalid_message', accepted: 0 },
    { name: 'timestamp "12"', body: batchOf(track({ timestamp: '12' })), status: 200, error: 'invalid_message', accepted: 0 },
    { name: 'timestamp with offset', body: batchOf(track({ timestamp: '2026-01-02T10:00:00+05:30' })), status: 200, error: null, accepted: 1 },
    { name: 'timestamp date only', body: batchOf(track({ timestamp: '2026-01-02' })), status: 200, error: null, accepted: 1 },
  ];
}

function contentTypes(): Case[] {
  const ok = (ct: string): Case => ({ name: `Content-Type ${ct} is accepted`, headers: { 'content-type': ct }, body: batchOf(track()), status: 200, error: null, accepted: 1 });
  const refused = (ct: string, error = 'unsupported_media_type'): Case => ({ name: `Content-Type ${ct} is refused`, headers: { 'content-type': ct }, body: batchOf(track()), status: 415, error });
  return [
    ok('application/json'),
    ok('application/json; charset=utf-8'),
    ok('Application/JSON;charset="UTF-8"'),
    ok('text/plain'),
    ok('text/plain;charset=UTF-8'),
    ok('application/vnd.segment+json'),
    refused('application/x-www-form-urlencoded'),
    refused('multipart/form-data; boundary=x'),
    refused('text/html'),
    refused('application/xml'),
    refused('image/png'),
    refused('application/octet-stream'),
    refused('application/json; charset=iso-8859-1', 'unsupported_charset'),
    refused('text/plain; charset=utf-16', 'unsupported_charset'),
  ];
}

function encodings(): Case[] {
  const fresh = () => JSON.stringify({ batch: [track()] });
  const zeros = new Uint8Array(LIMITS.maxDecompressedBytes * 20);
  return [
    { name: 'gzip body', headers: { 'content-encoding': 'gzip' }, body: () => compress(fresh()), status: 200, error: null, accepted: 1 },
    { name: 'x-gzip body', headers: { 'content-encoding': 'x-gzip' }, body: () => compress(fresh()), status: 200, error: null, accepted: 1 },
    { name: 'deflate body', headers: { 'content-encoding': 'deflate' }, body: () => compress(fresh(), 'deflate'), status: 200, error: null, accepted: 1 },
    { name: 'gzip bomb (10 MB of zeros)', headers: { 'content-encoding': 'gzip' }, body: () => compress(zeros), status: 413, error: 'body_too_large' },
    { name: 'gzip of a body just over the inflate cap', headers: { 'content-encoding': 'gzip' }, body: () => compress(JSON.stringify({ batch: [track()], pad: 'x'.repeat(LIMITS.maxDecompressedBytes) })), status: 413, error: 'body_too_large' },
    { name: 'gzip header, plain body', headers: { 'content-encoding': 'gzip' }, body: fresh, status: 400, error: 'invalid_compression' },
    { name: 'truncated gzip', headers: { 'content-encoding': 'gzip' }, body: async () => (await compress(fresh())).slice(0, 20), status: 400, error: 'invalid_compression' },
    { name: 'gzip with a corrupted byte', headers: { 'content-encoding': 'gzip' }, body: async () => { const z = await compress(fresh()); z[z.length - 6]! ^= 0xff; return z; }, status: 400, error: 'invalid_compression' },
    { name: 'gzip of invalid UTF-8', headers: { 'content-encoding': 'gzip' }, body: () => compress(new Uint8Array([0x7b, 0xff, 0x7d])), status: 400, error: 'invalid_encoding' },
    { name: 'gzip of invalid JSON', headers: { 'content-encoding': 'gzip' }, body: () => compress('{"batch":'), status: 400, error: 'invalid_json' },
    { name: 'br is not supported', headers: { 'content-encoding': 'br' }, body: fresh, status: 415, error: 'unsupported_encoding' },
    { name: 'zstd is not supported', headers: { 'content-encoding': 'zstd' }, body: fresh, status: 415, error: 'unsupported_encoding' },
    { name: 'gzip, gzip is not supported', headers: { 'content-encoding': 'gzip, gzip' }, body: fresh, status: 415, error: 'unsupported_encoding' },
    { name: 'identity encoding', headers: { 'content-encoding': 'identity' }, body: fresh, status: 200, error: null, accepted: 1 },
    { name: 'empty gzip body', headers: { 'content-encoding': 'gzip' }, body: () => '', status: 400, error: 'empty_body' },
  ];
}

function lengths(): Case[] {
  const fresh = () => JSON.stringify({ batch: [track()] });
  return [
    { name: 'Content-Length not a number', headers: { 'content-length': 'abc' }, body: fresh, status: 200, error: null, accepted: 1 },
    { name: 'Content-Length negative', headers: { 'content-length': '-1' }, body: fresh, status: 200, error: null, accepted: 1 },
    { name: 'Content-Length huge', headers: { 'content-length': '99999999999999999999' }, body: fresh, status: 413, error: 'body_too_large' },
    {
      name: 'streamed body without length over the cap',
      body: () => new Blob([JSON.stringify({ batch: [track()], pad: 'x'.repeat(LIMITS.maxBodyBytes) })]).stream(),
      status: 413,
      error: 'body_too_large',
    },
    {
      name: 'streamed gzip body without length',
      headers: { 'content-encoding': 'gzip' },
      body: async () => new Blob([await compress(JSON.stringify({ batch: [track()] }))]).stream(),
      status: 200,
      error: null,
      accepted: 1,
    },
  ];
}

function auth(): Case[] {
  const body = batchOf(track());
  const basic = (raw: string) => ({ authorization: `Basic ${raw}` });
  return [
    { name: 'no write key at all', headers: { authorization: '' }, body, status: 401, error: 'missing_write_key' },
    { name: 'Basic with invalid base64', headers: basic('%%%'), body, status: 401, error: 'invalid_authorization' },
    { name: 'Basic with empty credentials', headers: basic(''), body, status: 401, error: 'missing_write_key' },
    { name: 'Basic with only a colon', headers: basic(btoa(':')), body, status: 401, error: 'missing_write_key' },
    { name: 'Basic with unknown key', headers: basic(btoa('nope:')), body, status: 401, error: 'unknown_write_key' },
    { name: 'Basic with key as password only', headers: basic(btoa(':test-write-key')), body, status: 401, error: 'missing_write_key' },
    { name: 'Basic with a long unknown key', headers: basic(btoa('k'.repeat(4000))), body, status: 401, error: 'unknown_write_key' },
    { name: 'write key prefix is not the key', headers: basic(btoa('test-write-ke:')), body, status: 401, error: 'unknown_write_key' },
    { name: 'write key with trailing space', headers: basic(btoa('test-write-key :')), body, status: 401, error: 'unknown_write_key' },
    { name: 'Bearer is not Basic (no key in body)', headers: { authorization: 'Bearer test-write-key' }, body, status: 401, error: 'missing_write_key' },
    { name: 'writeKey in body is a number', headers: { authorization: '' }, body: json({ writeKey: 1, batch: [track()] }), status: 401, error: 'missing_write_key' },
    { name: 'writeKey in body is unknown', headers: { authorization: '' }, body: json({ writeKey: 'nope', batch: [track()] }), status: 401, error: 'unknown_write_key' },
    { name: 'writeKey in body is right', headers: { authorization: '' }, body: json({ writeKey: 'second-write-key', batch: [track()] }), status: 200, error: null, accepted: 1 },
    { name: 'Basic with password (Segment clients send key:)', headers: basic(btoa('test-write-key:ignored')), body, status: 200, error: null, accepted: 1 },
  ];
}

function routes(): Case[] {
  const body = json(track());
  return [
    { name: 'unknown single-message type', path: '/v1/purchase', body, status: 404, error: 'unknown_type' },
    { name: 'type route with a long name', path: `/v1/${'x'.repeat(3000)}`, body, status: 404, error: 'unknown_type' },
    { name: 'GET /v1/batch', method: 'GET', body: () => null, status: 404, error: 'not_found', unlogged: true },
    { name: 'PUT /v1/batch', method: 'PUT', body, status: 404, error: 'not_found', unlogged: true },
    { name: 'DELETE /v1/track', method: 'DELETE', path: '/v1/track', body: () => null, status: 404, error: 'not_found', unlogged: true },
    { name: 'single route, body is an array', path: '/v1/track', body: json([track()]), status: 400, error: 'invalid_message' },
    { name: 'single route, body is a string', path: '/v1/identify', body: json('x'), status: 400, error: 'invalid_message' },
    { name: 'single route, type mismatch is overridden by the route', path: '/v1/track', body: json(track({ type: 'identify' })), status: 200, error: null, accepted: 1 },
    { name: 'single identify route with a numeric userId', path: '/v1/identify', body: json({ userId: 42, traits: { email: 'a@b.co' } }), status: 200, error: null, accepted: 1 },
    { name: 'single identify route with a numeric userId beyond 2^53: kept as its digits', path: '/v1/identify', body: json({ userId: 2 ** 53 + 2 }), status: 200, error: null, accepted: 1 },
    { name: 'single identify route with a userId in exponent notation beyond 2^53', path: '/v1/identify', body: () => '{"userId":1.5e300}', status: 400, error: 'invalid_message' },
    { name: 'the tag path takes batches', path: '/i', headers: { 'content-type': 'text/plain' }, body: batchOf(track()), status: 200, error: null, accepted: 1 },
  ];
}

export function corpus(): Case[] {
  return [
    ...invalidJson(),
    ...emptyBodies(),
    ...notABatch(),
    ...wrongTypes(),
    ...invalidUtf8(),
    ...byteOrderMarks(),
    ...numbers(),
    ...nesting(),
    ...sizes(),
    ...reservedKeys(),
    ...duplicates(),
    ...timestamps(),
    ...contentTypes(),
    ...encodings(),
    ...lengths(),
    ...auth(),
    ...routes(),
  ];
}

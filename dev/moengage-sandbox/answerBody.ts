/**
 * Answer bodies no well-behaved API sends, for the `bodyBytes` and `bodyNeverEnds` faults: a body of
 * exactly n bytes (the answer's JSON with a padding field, so a client that reads it all can still
 * parse it) and bodies that never end. All are streams made on demand: a 100 MB answer costs the
 * sandbox one 64 KB chunk at a time, and a reader that gives up cancels the stream.
 */

const CHUNK = 64 * 1024;

export type EndlessBody = 'stall' | 'flood';

/** `json` padded to exactly `bytes` bytes (ASCII padding; plain padding when the JSON alone is longer). */
export function paddedBody(json: string, bytes: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const head = encoder.encode(json.endsWith('}') && json.length > 2 ? `${json.slice(0, -1)},"padding":"` : '');
  const tail = encoder.encode(head.byteLength ? '"}' : '');
  const fits = head.byteLength + tail.byteLength <= bytes;
  const prefix = fits ? head : new Uint8Array(0);
  const suffix = fits ? tail : new Uint8Array(0);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      const size = Math.min(CHUNK, bytes - sent);
      const chunk = new Uint8Array(size).fill(0x78); // 'x'
      // The JSON head and tail land wherever this chunk overlaps them.
      if (sent < prefix.byteLength) chunk.set(prefix.subarray(sent, Math.min(prefix.byteLength, sent + size)));
      const tailStart = bytes - suffix.byteLength;
      if (sent + size > tailStart) {
        const from = Math.max(sent, tailStart);
        chunk.set(suffix.subarray(from - tailStart, sent + size - tailStart), from - sent);
      }
      sent += size;
      controller.enqueue(chunk);
    },
  });
}

/**
 * `stall`: the first half of `json`, then nothing, ever (a proxy that hangs mid-answer).
 * `flood`: `json` without its closing brace, then whitespace forever (still valid JSON so far).
 */
export function endlessBody(json: string, kind: EndlessBody): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (kind === 'stall') {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(json.slice(0, Math.max(1, Math.floor(json.length / 2)))));
          return;
        }
        // Never resolves: the stream waits for a chunk that never comes, until the reader cancels.
        return new Promise<void>(() => {});
      }
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(json.endsWith('}') ? json.slice(0, -1) : json));
        return;
      }
      controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
    },
  });
}

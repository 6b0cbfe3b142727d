/**
 * Follows GET /debugger/api/stream: reads Server-Sent Events from a fetch body, and reconnects
 * with Last-Event-ID when the server ends a stream (it lasts 5 minutes) or the network drops.
 */
import { ApiError, openStream } from './api';
import type { EventSummary } from '../views';

export type LiveState = 'connecting' | 'live' | 'off' | 'error';

export interface Frame {
  id?: string;
  event: string;
  data: string;
}

/** Splits SSE text into frames; returns the frames and the unfinished rest. Comments are skipped. */
export function parseFrames(buffer: string): { frames: Frame[]; rest: string } {
  const frames: Frame[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const frame: Frame = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') data.push(value);
    }
    frame.data = data.join('\n');
    if (frame.id !== undefined || data.length) frames.push(frame);
  }
  return { frames, rest };
}

export function follow(query: string, onEvent: (event: EventSummary) => void, onState: (state: LiveState, note?: string) => void): () => void {
  const controller = new AbortController();
  let lastId: string | null = null;
  const run = async () => {
    while (!controller.signal.aborted) {
      onState('connecting');
      try {
        const res = await openStream(query, lastId, controller.signal);
        onState('live');
        const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { frames, rest } = parseFrames(buffer + value);
          buffer = rest;
          for (const frame of frames) {
            if (frame.id !== undefined) lastId = frame.id;
            if (frame.event === 'event') onEvent(JSON.parse(frame.data) as EventSummary);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) break;
        if (error instanceof ApiError && error.status === 401) {
          onState('off');
          return;
        }
        onState('error', error instanceof Error ? error.message : String(error));
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
    onState('off');
  };
  void run();
  return () => controller.abort();
}

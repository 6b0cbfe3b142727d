import { LIMITS } from '../../shared/limits';

/** UTF-8 size of a string (the limits are bytes on the wire). */
export const bytes = (s: string): number => new Blob([s]).size;

/**
 * Splits serialised messages into batches that fit one beacon (under Chromium's 64 KiB) and the
 * collector's batch length. The envelope and per-message sentAt get a fixed allowance.
 */
export function pack(messages: string[], maxBytes: number = LIMITS.maxBeaconBytes, maxCount: number = LIMITS.maxBatchLength): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let size = 256;
  for (const m of messages) {
    const b = bytes(m) + 48;
    if (batch.length && (size + b > maxBytes || batch.length >= maxCount)) {
      batches.push(batch);
      batch = [];
      size = 256;
    }
    batch.push(m);
    size += b;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/**
 * Byte and count limits of the ingest contract, shared by the tag (which packs under them) and the
 * collector (which enforces them before parsing). Segment's HTTP API uses 500 KB per batch and
 * 32 KB per message; we keep those so Segment clients work unchanged.
 */
export const LIMITS = {
  /** Whole request body, checked from Content-Length and again while streaming. */
  maxBodyBytes: 500 * 1024,
  /** A gzip/deflate body once decompressed (no zip bombs): the same cap as an uncompressed body. */
  maxDecompressedBytes: 500 * 1024,
  /** One message, serialised. */
  maxMessageBytes: 32 * 1024,
  /** Messages in one batch. */
  maxBatchLength: 500,
  /** sendBeacon refuses payloads above 64 KiB in Chromium; the tag stays under this. */
  maxBeaconBytes: 60 * 1024,
  /**
   * Nesting of one message (the message object is level 1; `properties.a.b` is level 3). A body
   * nested deeper than `maxBodyDepth` is refused before JSON.parse ever sees it.
   */
  maxDepth: 16,
  /** Envelope + batch array + a message at `maxDepth`, with room to spare. */
  maxBodyDepth: 32,
  /** Members of any one object (`properties`, `traits`, …). */
  maxObjectKeys: 256,
  /** Object members in one message, all levels together. */
  maxMessageKeys: 1000,
  /** Characters of one object key. */
  maxKeyLength: 256,
  /** Characters of one string value (URLs and user agents fit easily). */
  maxStringLength: 8192,
} as const;

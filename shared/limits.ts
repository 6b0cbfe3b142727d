/**
 * Byte and count limits of the ingest contract, shared by the tag (which packs under them) and the
 * collector (which enforces them before parsing). Segment's HTTP API uses 500 KB per batch and
 * 32 KB per message; we keep those so Segment clients work unchanged.
 */
export const LIMITS = {
  /** Whole request body, checked from Content-Length and again while streaming. */
  maxBodyBytes: 500 * 1024,
  /** One message, serialised. */
  maxMessageBytes: 32 * 1024,
  /** Messages in one batch. */
  maxBatchLength: 500,
  /** sendBeacon refuses payloads above 64 KiB in Chromium; the tag stays under this. */
  maxBeaconBytes: 60 * 1024,
} as const;

/**
 * Package build: what config.ts is to the script — the write key and where to send — set by
 * createTag() from its options instead of read from a `<script>` element when the file loads.
 * tag/build.ts resolves the shared modules' `./config` to this module there, so importing the
 * package touches nothing (no `document` on a server, no side effects for a bundler to keep).
 */
import type * as Script from './config';

export let writeKey: typeof Script.writeKey = '';
export let collector: typeof Script.collector = '';
export let endpoint: typeof Script.endpoint = '';

/** `base`: the collector's URL, absolute or relative to the page; `ingestPath`: its INGEST_PATH. */
export function configure(key: string, base: string, ingestPath: string): void {
  writeKey = key;
  collector = new URL(base, location.href).href;
  endpoint = new URL(ingestPath, collector).href;
}

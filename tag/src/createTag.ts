/**
 * The package build's entry, `import { createTag } from 'edgetag/tag'`: the script's tag, configured
 * by options instead of the snippet. Importing it does nothing (no global, no listener, no storage);
 * `createTag()` starts the tag. It does what index.ts does when the script loads, written out again
 * because the script's budget cannot afford a shared function for it.
 *
 * One tag per page: the visitor's cookie, the retry queue and its lease belong to the site, so a
 * second tag would compete with the first. Calling createTag() again with the same options returns
 * the same tag (a component that mounts twice); with other options it throws.
 */
import type { EdgeTag, SegmentsTag, TagOptions } from '../tag';
import { autoView, clock, tag } from './api';
import { settle, startAutoPage } from './autoPage';
import type { Stub } from './config';
import { configure } from './options';
import { hide } from './outbox';
import { plan } from './queue';

type Method = ((...a: unknown[]) => unknown) | undefined;

let started: string | undefined;

const fail = (option: string, what: string): never => {
  throw new TypeError(`edgetag: createTag() needs \`${option}\`: ${what}`);
};

export function createTag(options: TagOptions): EdgeTag {
  const { writeKey, collector, ingestPath = '/i', consent, global, autoPage = false } = options || ({} as TagOptions);
  if (typeof writeKey != 'string' || !writeKey) fail('writeKey', 'a write key the collector lists in WRITE_KEYS');
  if (typeof collector != 'string' || !collector) fail('collector', "the collector's URL, e.g. 'https://t.example.com'");
  if (typeof ingestPath != 'string' || ingestPath[0] != '/') fail('ingestPath', "the collector's INGEST_PATH, a path such as '/i'");
  if (consent !== undefined && consent !== true && consent !== false && consent !== 'pending') fail('consent', "true, false or 'pending'");
  if (global !== undefined && (typeof global != 'string' || !/^[A-Za-z_$][\w$]*$/.test(global))) fail('global', 'a JavaScript identifier');
  if (typeof autoPage != 'boolean') fail('autoPage', 'true or false');

  // Server rendering imports and calls this too: there, a tag that does nothing and keeps no state
  // (module state outlives a request on a server; one visitor's identity must not meet another's).
  if (typeof window == 'undefined') return serverTag();

  const key = JSON.stringify([writeKey, collector, ingestPath, consent, global, autoPage]);
  if (started) {
    if (started == key) return tag as unknown as EdgeTag;
    throw new Error('edgetag: createTag() was called again with other options; a page has one tag (use the one it returned)');
  }
  started = key;

  configure(writeKey, collector, ingestPath);
  if (consent !== undefined) (tag.consent as EdgeTag['consent'])({ analytics: consent });
  if (autoPage) startAutoPage(autoView);

  const host = window as unknown as Record<string, Stub | undefined>;
  for (const [method, args, at, settleCall] of (global && host[global]?.q) || []) {
    // Calls a snippet's stub queued under this global before the bundle ran, each with the time it was made.
    clock.at = at;
    const result = (tag[method] as Method)?.(...args);
    if (__SEGMENTS__) settleCall?.(result);
  }
  clock.at = undefined;
  if (global) (host as Record<string, unknown>)[global] = tag;

  setTimeout(plan, 1000); // batches earlier pages could not deliver (not while the page loads)
  addEventListener('pagehide', () => (settle(), hide(true)));
  addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && (settle(), hide(false)));
  return tag as unknown as EdgeTag;
}

// The declaration users get (tag/package/index.d.ts) is this function's.
createTag satisfies typeof import('../package/index').createTag;

/** What createTag() returns where there is no browser: every call does nothing and nothing is kept. */
function serverTag(): EdgeTag {
  const inert: Record<string, unknown> = { v: tag.v };
  for (const name of Object.keys(tag)) if (name != 'v') inert[name] = () => undefined;
  inert.user = () => ({ anonymousId: '', userId: null, traits: {} });
  if (__SEGMENTS__) {
    inert.segments = () => Promise.resolve([]);
    inert.inSegment = () => Promise.resolve(false);
  }
  return inert as unknown as SegmentsTag;
}

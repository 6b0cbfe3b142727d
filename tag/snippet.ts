/**
 * The embed snippet: defines `window[global]` as a stub that queues calls (with the time they were
 * made) until the script loads, then loads the script async: it never blocks rendering, and a
 * failed load leaves a harmless stub (whose pending `segments()`/`inSegment()` resolve `[]`/`false`). Running it twice, or after the tag loaded, does nothing.
 * The README and the demo page show exactly `snippet(...)`'s output.
 */

/**
 * Methods callable before the tag loads. A new tag method must be added here too (and in tag.d.ts).
 * The stub's methods return the stub, except PROMISE_METHODS (last in the list), which return a
 * promise that follows the real call once the tag replays it.
 */
export const PROMISE_METHODS = ['segments', 'inSegment'] as const;
export const STUB_METHODS = ['track', 'page', 'identify', 'alias', 'group', 'reset', 'ready', 'consent', 'user', 'debug', ...PROMISE_METHODS] as const;

export interface SnippetOptions {
  /** Where the collector serves the tag, e.g. https://t.example.com/s.js */
  src: string;
  writeKey: string;
  /** The global the page calls (default `tag`). */
  global?: string;
  /** `'pending'`: hold every event (no sending, no cookie) until the page calls `consent(...)`. */
  consent?: 'pending';
  /**
   * Page views on client-side navigation (single-page apps): loads `src?autopage`, the build of the
   * tag with autoPage, which the collector serves at the same path.
   */
  autoPage?: boolean;
}

export function snippet({ src, writeKey, global = 'tag', consent, autoPage }: SnippetOptions): string {
  const q = (s: string) => JSON.stringify(s);
  if (autoPage) src += (src.includes('?') ? '&' : '?') + 'autopage';
  return (
    `!function(w,d,n,k,s){var t=w[n]=w[n]||[];if(t.q||t.v)return;t.q=[];t.k=k;` +
    `${JSON.stringify(STUB_METHODS)}.forEach(function(m,i){t[m]=function(){var c=[m,[].slice.call(arguments),+new Date];t.q.push(c);` +
    `return i<${STUB_METHODS.length - PROMISE_METHODS.length}?t:new Promise(function(r){c.push(r)})}});` +
    `var e=d.createElement("script");e.async=!0;e.src=s;e.setAttribute("data-global",n);` +
    // Once the script has run (or failed to load), a promise the tag did not settle — the core
    // build has no segments, a blocked script has nothing — means "in no segment".
    `e.onload=e.onerror=function(){t.q.forEach(function(c){c[3]&&c[3](c[0]=="segments"?[]:!1)})};` +
    `d.head.appendChild(e)}` +
    `(window,document,${q(global)},${q(writeKey)},${q(src)});\n` +
    (consent ? `${global}.consent({analytics:${q(consent)}});\n` : '') +
    `${global}.page();`
  );
}

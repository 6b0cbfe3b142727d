/**
 * The embed snippet: defines `window[global]` as a stub that queues calls until the script loads,
 * then loads the script async (never blocks rendering; a failed load leaves a harmless stub).
 * The README and the demo page show exactly `snippet(...)`'s output.
 */
export const STUB_METHODS = ['track', 'page', 'identify', 'alias', 'group', 'reset', 'ready', 'consent', 'user', 'debug'] as const;

export interface SnippetOptions {
  /** Where the collector serves the tag, e.g. https://t.example.com/s.js */
  src: string;
  writeKey: string;
  /** The global the page calls (default `tag`). */
  global?: string;
}

export function snippet({ src, writeKey, global = 'tag' }: SnippetOptions): string {
  const q = (s: string) => JSON.stringify(s);
  return (
    `!function(w,d,n,k,s){var t=w[n]=w[n]||[];if(t.q)return;t.q=[];t.k=k;` +
    `${JSON.stringify(STUB_METHODS)}.forEach(function(m){t[m]=function(){t.q.push([m,[].slice.call(arguments)]);return t}});` +
    `var e=d.createElement("script");e.async=!0;e.src=s;e.setAttribute("data-global",n);d.head.appendChild(e)}` +
    `(window,document,${q(global)},${q(writeKey)},${q(src)});\ntag.page();`
  ).replace('\ntag.page();', `\n${global}.page();`);
}

/**
 * Script build: what the page told the tag — the snippet's stub (queued calls, write key) under the
 * global named by the script's `data-global` — and where to send. The collector replaces the ingest path
 * placeholder with its INGEST_PATH when it serves the file, so one build fits every deployment.
 * (The package build resolves `./config` to options.ts instead: createTag()'s options.)
 */
declare const __INGEST_PATH__: string;

/** A queued call; the stub's promise-returning methods add the resolver of the promise they returned. */
export type Call = [method: string, args: unknown[], at?: number, settle?: (value: unknown) => void];
export interface Stub {
  q?: Call[];
  k?: string;
}

const script = document.currentScript as HTMLScriptElement | null;

export const globalName = script?.getAttribute('data-global') || 'tag';
export const stub: Stub = (window as unknown as Record<string, Stub | undefined>)[globalName] || {};
export const writeKey = stub.k || '';
/** Where the tag was loaded from: the collector (for other collector routes, e.g. /v1/segments). */
export const collector = script?.src || location.href;
export const endpoint = new URL(__INGEST_PATH__, collector).href;

/**
 * What globalSetup.ts provides, declared again for the tag tests' own TypeScript program
 * (test/browser/tsconfig.json: DOM types, which clash with the Workers types of the root program).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    collectorUrl: string;
    sandboxUrl: string;
    debuggerToken: string;
    segmentSync: { username: string; password: string };
    segmentsSecret: string;
  }
}
export {};

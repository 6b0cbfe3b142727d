/**
 * Compile-time flags (tag/build.ts sets them with terser's `global_defs`): a variant's code sits
 * behind `if (__FLAG__)`, so the other variant's bundle carries none of its bytes.
 */
/** The segments build (`tag.segments()`, `tag.inSegment()`, `identify(…, {userHash})`). */
declare const __SEGMENTS__: boolean;
/** autoPage: page views on client-side navigation (the package build and the script's `?autopage` builds). */
declare const __AUTO_PAGE__: boolean;

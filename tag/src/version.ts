/** package.json's version, set by tag/build.ts (terser `global_defs`): sent as `context.library.version`. */
declare const __VERSION__: string;

export const VERSION = __VERSION__;

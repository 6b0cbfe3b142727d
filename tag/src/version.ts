/** The tag's version, sent as `context.library.version` (package.json's, checked by the build). */
export const VERSION = '0.1.0';

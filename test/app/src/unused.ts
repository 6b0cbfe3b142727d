/**
 * An app built with analytics switched off: createTag is imported but never called. A bundler must
 * leave every byte of the tag out (no top-level code of the package may survive: `sideEffects: false`).
 */
import { createTag } from 'edgetag/tag';

/** Set at build time (vite `define`); false in the test's build. */
declare const __ANALYTICS__: boolean;

if (__ANALYTICS__) createTag({ writeKey: 'k', collector: '/' });
console.log('no analytics in this build');

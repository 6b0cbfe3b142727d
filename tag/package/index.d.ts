/**
 * `edgetag/tag`: the tag as a module for bundlers (built from tag/src/createTag.ts). Its types are
 * tag.d.ts's; the build writes this file to dist/tag/index.d.ts, pointing at dist/tag/types.d.ts.
 */
import type { EdgeTag, TagOptions } from '../tag';

export type * from '../tag';

/**
 * Starts the tag and returns it: the same API as the script's `window.tag`. Importing does nothing;
 * call it once, in the browser. A second call with the same options returns the same tag; with
 * other options it throws (one tag per page: the visitor's cookie and retry queue are the site's).
 * On a server (no `window`) it returns a tag whose calls do nothing.
 * Throws a TypeError for a missing `writeKey` or `collector`, or another invalid option.
 */
export declare function createTag(options: TagOptions): EdgeTag;

/**
 * `edgetag/tag/segments`: `edgetag/tag` with `segments()` and `inSegment()` (the segments build,
 * docs/segments.md). The build writes this file to dist/tag/segments.d.ts.
 */
import type { SegmentsTag, TagOptions } from '../tag';

export type * from '../tag';

/** As `createTag` of `edgetag/tag`; the tag also reads the visitor's MoEngage segments. */
export declare function createTag(options: TagOptions): SegmentsTag;

/**
 * TypeScript declarations for the edgetag browser tag: the `tag` global the snippet defines, and what
 * `createTag()` returns (the package build, `import { createTag } from 'edgetag/tag'`, declared in
 * tag/package/; its types are these, without the global).
 * Snippet users: reference this file (`/// <reference path="…/tag.d.ts" />` or add it to `include`); if
 * you renamed the global in the snippet, declare `interface Window { yourName: EdgeTag }` yourself.
 */
export type Properties = Record<string, unknown>;
export type Traits = Record<string, unknown>;
export type Id = string | number;

export interface EdgeTagUser {
  anonymousId: string;
  userId: string | null;
  traits: Traits;
  /** Segments build: the proof given to `identify` for this userId. */
  userHash?: string;
}

export interface IdentifyOptions {
  /**
   * Segments build: hex HMAC-SHA256 of `userId` with the collector's SEGMENTS_IDENTITY_SECRET,
   * computed by your backend for the signed-in user. Kept with the identity (dropped when the
   * userId changes and on `reset()`), used only to read `segments()`, never sent with events.
   */
  userHash?: string;
}

/** A MoEngage segment synced to the collector (Outbound Segment Sync). */
export interface Segment {
  /** MoEngage's moengage_sync_id. */
  id: string;
  /** MoEngage's moengage_sync_name (the segment's name when the sync was created). */
  name: string;
}

/** `true` sends and stores; `'pending'` holds events in memory (no cookie); `false` discards them and erases the tag's cookie and storage. */
export interface ConsentChoice {
  analytics: boolean | 'pending';
}

export interface EdgeTag {
  /** Records an action (`Order Completed`, `Product Viewed`, …). */
  track(event: string, properties?: Properties): void;
  /** Records a page view; url, path, title, referrer and search are filled in. */
  page(name?: string | null, properties?: Properties): void;
  page(properties: Properties): void;
  /** Names the visitor; traits are kept and sent as `context.traits` on every later message. */
  identify(userId?: Id | null, traits?: Traits, options?: IdentifyOptions): void;
  identify(traits: Traits): void;
  /** Links the current identity (userId, else anonymousId) to `newId`, which becomes the userId. */
  alias(newId: Id): void;
  /** Associates the visitor with an account or company. */
  group(groupId: Id, traits?: Traits): void;
  /** Forgets the visitor on this device: new anonymousId, no userId, no traits. */
  reset(): void;
  /** Calls back once the tag has loaded and replayed the calls made before. */
  ready(callback: () => void): void;
  /** The current ids and traits (only on the loaded tag; the pre-load stub returns itself). */
  user(): EdgeTagUser;
  consent(choice: ConsentChoice): void;
  /** Logs dropped calls and delivery problems to the console. */
  debug(on?: boolean): void;
  /**
   * The MoEngage segments the identified visitor is in (needs `identify(userId, traits, {userHash})`);
   * `[]` for anonymous or unverified visitors and on any failure. Only in the segments build, which
   * the collector serves when SEGMENTS_IDENTITY_SECRET is set; the snippet's stub has it too.
   */
  segments?(): Promise<Segment[]>;
  /** Whether the visitor is in the segment with this name or sync id (segments build, as `segments()`). */
  inSegment?(nameOrId: string): Promise<boolean>;
  /** The tag's version (absent on the pre-load stub). */
  readonly v: string;
}

/** The segments build's tag (`edgetag/tag/segments`, or the script when the collector reads segments). */
export type SegmentsTag = EdgeTag & Required<Pick<EdgeTag, 'segments' | 'inSegment'>>;

/** `createTag()`'s options (the package build). */
export interface TagOptions {
  /** A write key the collector lists in WRITE_KEYS. */
  writeKey: string;
  /** The collector's URL, e.g. `https://t.example.com`, or `/` when your site routes the collector's paths to it. */
  collector: string;
  /** The collector's INGEST_PATH (default `/i`). */
  ingestPath?: string;
  /** The visitor's consent when the tag starts, as `consent({analytics})` (default `true`); `'pending'` holds everything. */
  consent?: ConsentChoice['analytics'];
  /** Also make the tag `window[global]`, replaying the calls a snippet's stub queued there (default: no global). */
  global?: string;
  /** Page views on client-side navigation: pushState, replaceState to another path, back/forward; also the first page's (default `false`). */
  autoPage?: boolean;
}

// The snippet's global (dist/tag.d.ts only: the package build's types stop above this line).
declare global {
  interface Window {
    tag: EdgeTag;
  }
}

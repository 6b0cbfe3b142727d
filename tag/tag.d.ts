/**
 * TypeScript declarations for the edgetag browser tag (the `tag` global the snippet defines).
 * Reference this file (`/// <reference path="…/tag.d.ts" />` or add it to `include`); if you
 * renamed the global in the snippet, declare `interface Window { yourName: EdgeTag }` yourself.
 */
export type Properties = Record<string, unknown>;
export type Traits = Record<string, unknown>;
export type Id = string | number;

export interface EdgeTagUser {
  anonymousId: string;
  userId: string | null;
  traits: Traits;
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
  identify(userId?: Id | null, traits?: Traits): void;
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
  /** The tag's version (absent on the pre-load stub). */
  readonly v: string;
}

declare global {
  interface Window {
    tag: EdgeTag;
  }
}

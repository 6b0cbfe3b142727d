/**
 * Random ids (anonymousId, messageId, this page's lease owner). `crypto.randomUUID` exists only in
 * secure contexts (https, localhost); plain-http sites get the same RFC 4122 v4 shape from
 * `crypto.getRandomValues`, which every browser has everywhere.
 */
export const uuid = (): string =>
  crypto.randomUUID?.() ??
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ ((crypto.getRandomValues(new Uint8Array(1))[0] as number) & (15 >> (+c / 4)))).toString(16),
  );

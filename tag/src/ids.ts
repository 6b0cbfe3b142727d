/**
 * Random RFC 4122 v4 ids (anonymousId, messageId, this page's lease owner). `crypto.randomUUID`
 * exists only in secure contexts (https, localhost); plain-http pages build the same shape from
 * `crypto.getRandomValues`, which every browser has everywhere (one call per id: it is not cheap).
 */
export const uuid = (): string => {
  if (crypto.randomUUID) return crypto.randomUUID();
  const random = crypto.getRandomValues(new Uint8Array(31));
  let i = 0;
  return '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ ((random[i++] as number) & (15 >> (+c / 4)))).toString(16));
};

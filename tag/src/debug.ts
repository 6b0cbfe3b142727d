/** Console output only when the site asked for it (`tag.debug(true)`): a tag must be silent by default. */
let on = false;

export const setDebug = (value: unknown): void => {
  on = value !== false;
};

export const log = (...args: unknown[]): void => {
  if (on) console.warn('[edgetag]', ...args);
};

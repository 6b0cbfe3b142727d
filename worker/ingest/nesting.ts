/**
 * The deepest `[`/`{` nesting of a JSON text, found in one pass without parsing, stopping as soon as
 * it passes `max`. Run before JSON.parse so a 100,000-deep array never reaches the parser or any
 * recursive code after it. Brackets inside strings (with escapes) do not count.
 */
export function nestingExceeds(text: string, max: number): { depth: number; at: number } | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return { depth, at: i };
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return null;
}

/**
 * Building an Intl.DateTimeFormat costs ~0.3 ms, far more than using one; visitors share a few
 * dozen zones, so formatters are kept per zone (null: not a zone this runtime knows).
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const MAX_ZONES = 500;

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      formatter = null;
    }
    if (formatters.size >= MAX_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * formatToParts costs more than the rest of an event's mapping, and a batch's events share a zone
 * and a minute: answers are kept per (zone, minute). Exact because from 1973 on every zone's offset
 * changes on a whole minute (checked over ICU's 418 zones to 2045; the last that did not is
 * Africa/Monrovia's, 1972-01-07T00:44:30Z); earlier instants are not kept.
 */
const offsets = new Map<string, number | undefined>();
const MAX_OFFSETS = 2_000;
const KEEP_FROM_MS = Date.UTC(1973, 0, 1);

/** Seconds east of UTC for an IANA zone at an instant (daylight saving included), or undefined when the zone is unknown. */
export function timezoneOffsetSeconds(timeZone: string | undefined, at: Date): number | undefined {
  if (!timeZone || timeZone.length > 64) return undefined;
  const formatter = formatterFor(timeZone);
  const ms = at.getTime();
  if (!formatter || Number.isNaN(ms)) return undefined;
  if (ms < KEEP_FROM_MS) return offsetAt(formatter, at);
  const key = `${Math.floor(ms / 60_000)}\u0000${timeZone}`;
  if (offsets.has(key)) return offsets.get(key);
  const offset = offsetAt(formatter, at);
  if (offsets.size >= MAX_OFFSETS) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

function offsetAt(formatter: Intl.DateTimeFormat, at: Date): number | undefined {
  const part = formatter.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(part ?? '');
  if (!match) return undefined;
  if (!match[1]) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

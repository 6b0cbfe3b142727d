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

/** Seconds east of UTC for an IANA zone at an instant (daylight saving included), or undefined when the zone is unknown. */
export function timezoneOffsetSeconds(timeZone: string | undefined, at: Date): number | undefined {
  if (!timeZone || timeZone.length > 64) return undefined;
  const formatter = formatterFor(timeZone);
  if (!formatter || Number.isNaN(at.getTime())) return undefined;
  const part = formatter.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(part ?? '');
  if (!match) return undefined;
  if (!match[1]) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/** Seconds east of UTC for an IANA zone at an instant, or undefined when the zone is unknown. */
export function timezoneOffsetSeconds(timeZone: string | undefined, at: Date): number | undefined {
  if (!timeZone) return undefined;
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?/.exec(part ?? '');
    if (!match) return undefined;
    if (!match[1]) return 0;
    const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60;
    return match[1] === '-' ? -seconds : seconds;
  } catch {
    return undefined;
  }
}

import { describe, expect, it } from 'vitest';
import { timezoneOffsetSeconds } from '../../../worker/blueprints/time';

/**
 * Offsets are kept per (zone, minute): the minute before a transition and the minute it starts must
 * still answer differently, whichever is asked first, and instants inside one minute alike.
 */
describe('timezoneOffsetSeconds', () => {
  const cases: [zone: string, before: string, from: string, offsetBefore: number, offsetFrom: number][] = [
    ['Europe/London', '2026-03-29T00:59:59.999Z', '2026-03-29T01:00:00.000Z', 0, 3600],
    ['Europe/London', '2026-10-25T00:59:59.999Z', '2026-10-25T01:00:00.000Z', 3600, 0],
    ['America/New_York', '2026-03-08T06:59:59.999Z', '2026-03-08T07:00:00.000Z', -18000, -14400],
    ['Australia/Lord_Howe', '2026-04-04T14:59:59.999Z', '2026-04-04T15:00:00.000Z', 39600, 37800],
    ['Asia/Kolkata', '2026-06-01T00:00:59.999Z', '2026-06-01T00:01:00.000Z', 19800, 19800],
  ];

  it.each(cases)('%s changes exactly at %s → %s', (zone, before, from, offsetBefore, offsetFrom) => {
    const at = (iso: string, ms = 0) => new Date(Date.parse(iso) + ms);
    // The first minute asked and cached, then the other; then each again, from another instant of its minute.
    expect(timezoneOffsetSeconds(zone, at(before))).toBe(offsetBefore);
    expect(timezoneOffsetSeconds(zone, at(from))).toBe(offsetFrom);
    expect(timezoneOffsetSeconds(zone, at(before, -59_000))).toBe(offsetBefore);
    expect(timezoneOffsetSeconds(zone, at(from, 59_999))).toBe(offsetFrom);
  });

  it('answers the minute first asked from its end as from its start', () => {
    expect(timezoneOffsetSeconds('Europe/Paris', new Date('2026-03-29T00:59:59.999Z'))).toBe(3600);
    expect(timezoneOffsetSeconds('Europe/Paris', new Date('2026-03-29T01:00:00.000Z'))).toBe(7200);
    expect(timezoneOffsetSeconds('Europe/Paris', new Date('2026-03-29T00:59:00.000Z'))).toBe(3600);
  });

  it('leaves unknown zones, invalid dates and instants before 1973 as before', () => {
    expect(timezoneOffsetSeconds('Mars/Olympus_Mons', new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(timezoneOffsetSeconds('Europe/London', new Date(Number.NaN))).toBeUndefined();
    expect(timezoneOffsetSeconds(undefined, new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
    // Monrovia's offset had seconds until 1972-01-07T00:44:30Z (unanswerable in whole minutes), then 0.
    expect(timezoneOffsetSeconds('Africa/Monrovia', new Date('1972-01-07T00:44:29.000Z'))).toBeUndefined();
    expect(timezoneOffsetSeconds('Africa/Monrovia', new Date('1972-01-07T00:44:31.000Z'))).toBe(0);
  });
});

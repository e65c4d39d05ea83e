/**
 * Whether `now` falls in quiet hours `from`–`to` (HH:MM, may wrap midnight)
 * in the IANA time zone `timeZone`. An unknown time zone counts as UTC.
 *
 * @example
 * inQuietHours(Date.parse('2026-11-23T22:30:00Z'), { from: '22:00', to: '07:00', timeZone: 'UTC' }); // true
 */
export function inQuietHours(now: number, quiet: { from: string; to: string; timeZone: string }): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === undefined || to === undefined || from === to) return false;
  const local = localMinutes(now, quiet.timeZone);
  return from < to ? local >= from && local < to : local >= from || local < to;
}

function minutesOf(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localMinutes(now: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    formatters.set(timeZone, f);
  }
  let h = 0;
  let min = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'hour') h = Number(p.value) % 24;
    if (p.type === 'minute') min = Number(p.value);
  }
  return h * 60 + min;
}

import type { AdPlacement, Campaign, Daypart, OpeningHours, Venue, Weekday } from './types.ts';

/**
 * Which campaigns may run on a placement now, from context alone: the venue,
 * the placement, the time at the venue. Nothing about the people in front of
 * the screen is known or asked.
 */

/** The time at a venue: weekday (0 = Sunday) and minutes since local midnight. */
export interface LocalTime {
  readonly weekday: Weekday;
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, Weekday> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** True when `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The weekday and minute of the day at `now` in `timeZone`.
 *
 * @example
 * localTime(Date.UTC(2026, 10, 23, 9, 30), 'Europe/Paris'); // { weekday: 1, minutes: 630 } (10:30, Monday)
 */
export function localTime(now: number, timeZone: string): LocalTime {
  // Minutes are all that matter: one formatting per zone and minute.
  const minute = Math.floor(now / 60_000);
  const cached = lastLocal.get(timeZone);
  if (cached && cached.minute === minute) return cached.time;
  const time = formatLocal(now, timeZone);
  lastLocal.set(timeZone, { minute, time });
  return time;
}

const lastLocal = new Map<string, { minute: number; time: LocalTime }>();

function formatLocal(now: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  let weekday: Weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'weekday') weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}

/** Minutes since midnight of `HH:MM`, or undefined when malformed. */
export function minutesOf(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** True when `minutes` is in [from, to), wrapping midnight when `to` ≤ `from`. */
function within(minutes: number, from: number, to: number): boolean {
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/**
 * True when the local time falls in the daypart. A daypart that wraps
 * midnight belongs to the day it starts on.
 */
export function inDaypart(t: LocalTime, d: Daypart): boolean {
  const from = minutesOf(d.from) ?? 0;
  const to = minutesOf(d.to) ?? 0;
  if (from < to) return d.days.includes(t.weekday) && within(t.minutes, from, to);
  const yesterday = ((t.weekday + 6) % 7) as Weekday;
  return (d.days.includes(t.weekday) && t.minutes >= from) || (d.days.includes(yesterday) && t.minutes < to);
}

/** True when the venue is open at that local time (no hours given = always open). */
export function isOpen(hours: OpeningHours, t: LocalTime): boolean {
  const keys = Object.keys(hours);
  if (keys.length === 0) return true;
  for (const [from, to] of hours[`${t.weekday}`] ?? []) {
    if (within(t.minutes, minutesOf(from) ?? 0, minutesOf(to) ?? 0)) return true;
  }
  return false;
}

/** `FR` matches `FR` and `FR-75`; `FR-75` matches only `FR-75`. */
export const regionMatches = (target: string, region: string): boolean =>
  region === target || region.startsWith(`${target}-`);

/** Why a campaign cannot run here and now, or null when its targeting and flight allow it. */
export type Ineligibility =
  | 'paused'
  | 'outside_flight'
  | 'no_creative'
  | 'placement_kind'
  | 'venue_kind'
  | 'region'
  | 'daypart'
  | 'waiting_moment';

/**
 * The context check of a campaign: status, flight, and each targeted
 * dimension (kind of placement and of venue, region, time of week, waiting
 * moment). An empty targeting list accepts any value. Budget, pacing and
 * per-screen caps are checked separately (they need counters).
 *
 * @example
 * ineligibility(campaign, { venue, placement, now, local }); // null, or e.g. 'daypart'
 */
export function ineligibility(
  c: Campaign,
  ctx: { venue: Venue; placement: AdPlacement; now: number; local: LocalTime },
): Ineligibility | null {
  if (c.status !== 'active') return 'paused';
  if (ctx.now < c.flightStart || ctx.now >= c.flightEnd) return 'outside_flight';
  if (c.creatives.length === 0) return 'no_creative';
  const t = c.targeting;
  if (t.placementKinds.length > 0 && !t.placementKinds.includes(ctx.placement.kind)) return 'placement_kind';
  if (t.venueKinds.length > 0 && !t.venueKinds.includes(ctx.venue.kind)) return 'venue_kind';
  if (t.regions.length > 0 && !t.regions.some((r) => regionMatches(r, ctx.venue.region))) return 'region';
  if (t.dayparts.length > 0 && !t.dayparts.some((d) => inDaypart(ctx.local, d))) return 'daypart';
  if (t.waitingMoments.length > 0) {
    const moment = ctx.placement.waitingMoment;
    if (moment === undefined || !t.waitingMoments.includes(moment)) return 'waiting_moment';
  }
  return null;
}

/**
 * Pacing and rotation: a budget spread evenly over its flight, and a screen
 * that does not loop the same advert.
 */

/** Impressions a campaign may have served by `now`: its budget spread evenly over the flight, plus a small burst. */
export function pacedAllowance(
  c: { readonly budgetImpressions: number; readonly flightStart: number; readonly flightEnd: number },
  now: number,
): number {
  if (now < c.flightStart) return 0;
  if (now >= c.flightEnd) return c.budgetImpressions;
  const share = (now - c.flightStart) / (c.flightEnd - c.flightStart);
  return Math.min(c.budgetImpressions, Math.floor(c.budgetImpressions * share) + paceBurst(c.budgetImpressions));
}

/**
 * How far ahead of the straight line a campaign may run: 0.1% of its budget,
 * at least one impression. Keeps delivery within a tight tolerance of an even
 * spread while letting a quiet moment be made up at once.
 *
 * @example
 * paceBurst(100_000); // 100
 */
export function paceBurst(budget: number): number {
  return Math.max(1, Math.ceil(budget * 0.001));
}

/**
 * A ranking boost for a campaign behind its schedule (1 when on schedule, up
 * to 2 when far behind), so budgets that fell behind catch up first.
 *
 * @example
 * paceFactor({ budgetImpressions: 1000, flightStart: 0, flightEnd: 10 }, 0, 5); // 2
 */
export function paceFactor(
  c: { readonly budgetImpressions: number; readonly flightStart: number; readonly flightEnd: number },
  served: number,
  now: number,
): number {
  const target = pacedAllowance(c, now);
  if (target <= 0) return 1;
  const behind = (target - served) / target;
  return 1 + Math.min(Math.max(behind, 0) * 4, 1);
}

/**
 * A ranking factor that keeps a screen from looping one advert: the campaign
 * shown last gets 5% of its score, and each earlier appearance among the
 * recent ones halves it.
 *
 * @example
 * rotationFactor(['a', 'b'], 'b'); // 0.05 (just shown)
 * rotationFactor(['a', 'b'], 'a'); // 0.5
 * rotationFactor(['a', 'b'], 'c'); // 1
 */
export function rotationFactor(recent: readonly string[], campaignId: string): number {
  if (recent.length === 0) return 1;
  let f = recent[recent.length - 1] === campaignId ? 0.05 : 1;
  for (let i = 0; i < recent.length - 1; i++) if (recent[i] === campaignId) f *= 0.5;
  return f;
}

/** Start of the fixed per-screen frequency window containing `now`. */
export const capWindowStart = (now: number, windowMinutes: number): number => {
  const w = windowMinutes * 60_000;
  return Math.floor(now / w) * w;
};

/**
 * The decision benchmarks' workload on the Amazon Sports and Outdoors data:
 * its subjects with their purchases, and the requests a home page makes
 * (half of them on a product page). Shared by bench/decide/run.ts and
 * bench/decide/ab.ts, so that both time the same decisions.
 */
import { readFileSync } from 'node:fs';

export interface BenchSubject {
  readonly id: string;
  readonly items: readonly string[];
}

/** The subjects of a data file in the Amazon sequence format (a user id, then item ids), with the distinct items. */
export function readSubjects(file: string): { users: BenchSubject[]; itemIds: string[] } {
  const users = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [u, ...items] = line.trim().split(/\s+/);
      return { id: `u${u}`, items: items.map((i) => `p${i}`) };
    });
  return { users, itemIds: [...new Set(users.flatMap((u) => u.items))] };
}

/**
 * A source of decision requests: a random subject on the home placement,
 * half of the time on the page of a random item, ten items.
 *
 * @example
 * const next = decisionRequests(users, itemIds, Math.random);
 * next(); // { placement: 'home', subjectId: 'u17', context: { itemId: 'p9' }, limit: 10 }
 */
export function decisionRequests(users: readonly BenchSubject[], itemIds: readonly string[], random: () => number) {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  return () => {
    const u = pick(users);
    const context: { itemId?: string } = random() < 0.5 ? { itemId: pick(itemIds) } : {};
    return { placement: 'home', subjectId: u.id, context, limit: 10 };
  };
}

/**
 * The service's input for one of {@link decisionRequests}' requests: as the
 * server makes it for a request with no exclusions, no GPC signal and no
 * known minor.
 *
 * @example
 * await services.decisions.decide(decideInput('bench', next()));
 */
export function decideInput<R extends { placement: string; subjectId: string }>(tenantId: string, request: R) {
  return { tenantId, ...request, exclude: [] as string[], gpc: false, knownMinor: false };
}

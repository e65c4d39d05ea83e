import type { Purpose } from '../purposes.ts';
import type { SensitiveClass } from '../sensitive.ts';
import type { ConsentedView } from './consented-view.ts';
import { inQuietHours } from './quiet-hours.ts';
import { seededRandom } from './random.ts';
import type {
  AuditRecord,
  Candidate,
  CandidateSources,
  CapCounters,
  CatalogItem,
  CatalogView,
  CounterIncrement,
  DecidedItem,
  DecisionContext,
  DecisionMode,
  DecisionOutcome,
  DecisionRequest,
  PlacementConfig,
  Reason,
  SelectionCategory,
  SuppressionCategory,
} from './types.ts';
import { MESSAGE_KINDS } from './types.ts';

/**
 * The decision pipeline: one pure function, in explicit ordered stages, used
 * by every placement.
 *
 *   candidates → purpose & consent → sensitive policy → caps & suppression →
 *   business rules → ranking → diversity & exploration → explanation → audit
 *
 * Each stage only removes or reorders what the previous one produced, except
 * exploration, which adds non-personal popular items that then pass the same
 * guardrails. Personal data reaches the pipeline only through the
 * {@link ConsentedView}. See docs/adr/0005-decision-pipeline.md.
 */
export interface DecisionInput {
  readonly decisionId: string;
  readonly request: DecisionRequest;
  readonly placement: PlacementConfig;
  readonly view: ConsentedView;
  readonly catalog: CatalogView;
  readonly sources: CandidateSources;
  readonly counters: CapCounters;
}

const DAY = 24 * 3600 * 1000;
const PERSONAL_BASES = new Set(['observed', 'declared']);

/** Relative weight of each kind of signal in the final score. */
const WEIGHTS = {
  goesWithCurrent: 1,
  bought: 1,
  matchesSearch: 0.9,
  personal: 0.9,
  venue: 1,
  retargeting: 0.8,
  declared: 0.7,
  similarToCurrent: 0.6,
  inCategory: 0.5,
  popular: 0.2,
} as const;

/** Is this reason's signal personal (the subject's own data)? */
export const isPersonalReason = (r: Reason): boolean => PERSONAL_BASES.has(r.basis);

// ---------------------------------------------------------------- stage 1: candidates

/** Sensitive classes the current page or venue is itself about (usable as context, never inferred). */
export function contextClasses(context: DecisionContext, catalog: CatalogView): Set<SensitiveClass> {
  const out = new Set<SensitiveClass>();
  if (context.itemId !== undefined) {
    const c = catalog.item(context.itemId)?.sensitiveClass;
    if (c) out.add(c);
  }
  if (context.category !== undefined) {
    const c = catalog.classOfCategory(context.category);
    if (c) out.add(c);
  }
  return out;
}

/**
 * Appends `list` to `out`, scores scaled so that the list's best is `weight`
 * (items with no positive finite score, and items not in the catalog, are
 * left out). `reason` gives each item its reason; reasons are shared between
 * candidates, never copied (a decision handles a few hundred candidates, and
 * each object costs). Each candidate carries its catalog entry, looked up
 * here once: the later stages read it instead of looking it up again (perf:
 * the catalog's map lookups, four or five per candidate, were about 5 % of a
 * decision).
 */
function pushNormalized<
  S extends { readonly itemId: string; readonly score: number; readonly item?: CatalogItem | undefined },
>(
  out: Candidate[],
  catalog: CatalogView,
  list: readonly S[],
  weight: number,
  reason: Reason | ((s: S) => Reason),
): void {
  let max = 0;
  for (const s of list) if (s.score > max) max = s.score;
  for (const s of list) {
    if (!(Number.isFinite(s.score) && s.score > 0)) continue;
    pushCandidate(
      out,
      catalog,
      s.itemId,
      max > 0 ? (weight * s.score) / max : 0,
      typeof reason === 'function' ? reason(s) : reason,
      s.item,
    );
  }
}

/**
 * Appends a candidate with its catalog entry (`known`, when its source held
 * it already), or nothing when the item is not in the catalog.
 */
function pushCandidate(
  out: Candidate[],
  catalog: CatalogView,
  itemId: string,
  score: number,
  reason: Reason,
  known?: CatalogItem,
): void {
  const item = known ?? catalog.item(itemId);
  if (item !== undefined) out.push({ itemId, item, score, reason });
}

const personalReason = (
  code: Reason['code'],
  basis: 'observed' | 'declared',
  categories: SelectionCategory[],
  purposes: Purpose[],
  extra: Partial<Pick<Reason, 'item' | 'interest' | 'category'>>,
): Reason => ({ code, basis, dataCategories: categories, consents: purposes, ...extra });

const contextReason = (code: Reason['code'], extra: Partial<Pick<Reason, 'item' | 'category' | 'venue'>>): Reason => ({
  code,
  basis: 'context',
  dataCategories: [],
  consents: [],
  ...extra,
});

/**
 * How many candidates each source is asked for in a slate of `limit` items:
 * enough to survive the guardrails and diversity, few enough to stay fast.
 *
 * @example
 * candidatesPerSource(10); // 30
 */
export function candidatesPerSource(limit: number): number {
  return Math.max(limit * 3, 24);
}

/** Stage 1: every candidate with the reason it came from (one entry per source and item). */
export function collectCandidates(input: DecisionInput): Candidate[] {
  const { request, view, sources, catalog, placement } = input;
  const k = candidatesPerSource(request.limit);
  const ctx = request.context;
  const out: Candidate[] = [];

  // Context: the page (item, category, search) or the venue — not personal.
  if (ctx.itemId !== undefined && catalog.item(ctx.itemId)) {
    const anchor = ctx.itemId;
    pushNormalized(
      out,
      catalog,
      sources.complements([anchor], k).filter((s) => s.anchor === undefined || s.anchor === anchor),
      WEIGHTS.goesWithCurrent,
      contextReason('goes_with_current', { item: anchor }),
    );
    pushNormalized(
      out,
      catalog,
      sources.similar(anchor, k),
      WEIGHTS.similarToCurrent,
      contextReason('similar_to_current', { item: anchor }),
    );
  }
  if (ctx.category !== undefined) {
    const category = ctx.category;
    pushNormalized(
      out,
      catalog,
      sources.popular(category, k),
      WEIGHTS.inCategory,
      contextReason('popular_in_category', { category }),
    );
  }
  if (ctx.search !== undefined && sources.search) {
    pushNormalized(
      out,
      catalog,
      sources.search(ctx.search, k),
      WEIGHTS.matchesSearch,
      contextReason('matches_search', {}),
    );
  }
  if (ctx.venue !== undefined && sources.venue) {
    const venue = ctx.venue;
    pushNormalized(out, catalog, sources.venue(venue, k), WEIGHTS.venue, contextReason('at_venue', { venue }));
  }

  // Personal: only what the consented view exposes.
  if (view.personal) {
    const purpose = view.purpose;
    const history = view.history();
    const kinds = new Map<string, 'view' | 'cart' | 'purchase'>();
    for (const h of history) {
      const prev = kinds.get(h.itemId);
      if (prev !== 'purchase') kinds.set(h.itemId, h.kind === 'view' && prev === 'cart' ? 'cart' : h.kind);
    }
    const anchorReasons = new Map<string, Reason>();
    const anchorReason = (anchor: string): Reason => {
      let reason = anchorReasons.get(anchor);
      if (!reason) {
        const bought = kinds.get(anchor) === 'purchase';
        reason = personalReason(
          bought ? 'bought' : 'viewed',
          'observed',
          [bought ? 'user.behavior.purchase_history' : 'user.behavior.browsing_history'],
          [purpose],
          { item: anchor },
        );
        anchorReasons.set(anchor, reason);
      }
      return reason;
    };
    if (history.length > 0) {
      const personal = sources
        .personal(
          history.map((h) => ({ itemId: h.itemId, kind: h.kind })),
          k,
        )
        // A source may only explain with what it was given.
        .filter((s) => s.anchor !== undefined && kinds.has(s.anchor));
      pushNormalized(out, catalog, personal, WEIGHTS.personal, (s) => anchorReason(s.anchor as string));
      const recentPurchases = [...view.purchases().entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([id]) => id);
      for (const anchor of recentPurchases) {
        const list = sources.complements([anchor], k).filter((s) => s.anchor === undefined || s.anchor === anchor);
        pushNormalized(out, catalog, list, WEIGHTS.bought, anchorReason(anchor));
      }
    }
    for (const { interest } of view.interests()) {
      const list = catalog.hasCategory(interest) ? sources.popular(interest, k) : (sources.search?.(interest, k) ?? []);
      const reason = personalReason(
        'declared_interest',
        'declared',
        ['user.preference.declared_interests'],
        [purpose, ...sensitivePurposeOf(interest, view)],
        { interest },
      );
      pushNormalized(out, catalog, list, WEIGHTS.declared, reason);
    }
    if (placement.retargeting.enabled) {
      const { halfLifeDays, maxAgeDays } = placement.retargeting;
      for (const [itemId, at] of view.retargetable()) {
        const ageDays = (request.now - at) / DAY;
        if (ageDays < 0 || ageDays > maxAgeDays) continue;
        pushCandidate(
          out,
          catalog,
          itemId,
          WEIGHTS.retargeting * 2 ** (-ageDays / Math.max(halfLifeDays, 1e-9)),
          personalReason('retargeting', 'observed', ['user.behavior.browsing_history'], ['retargeting'], {
            item: itemId,
          }),
        );
      }
    }
  }

  // Popular: for everybody, always (fills the slate, feeds exploration).
  pushNormalized(out, catalog, sources.popular(undefined, k), WEIGHTS.popular, POPULAR_REASON);

  // Pinned items enter here and pass every guardrail like the others.
  for (const pin of placement.rules.pinned) pushCandidate(out, catalog, pin.itemId, 0, FEATURED_REASON);
  return out;
}

/** A reason that uses no data (popular, featured, exploration): one shared, frozen object per code. */
const noDataReason = (code: 'popular' | 'featured' | 'exploration'): Reason =>
  Object.freeze({ code, basis: 'none', dataCategories: [], consents: [] });
const POPULAR_REASON = noDataReason('popular');
const FEATURED_REASON = noDataReason('featured');
const EXPLORATION_REASON = noDataReason('exploration');

function sensitivePurposeOf(interest: string, view: ConsentedView): Purpose[] {
  for (const i of view.interests()) {
    if (i.interest === interest && i.sensitiveClass !== null) return [`sensitive:${i.sensitiveClass}`];
  }
  return [];
}

// ---------------------------------------------------------------- stage 2: purpose & consent

/** Stage 2: a personal reason survives only if the view is personal (defence in depth). */
export function consentFilter(candidates: readonly Candidate[], view: ConsentedView): readonly Candidate[] {
  if (view.personal) return candidates;
  return candidates.filter((c) => !isPersonalReason(c.reason));
}

// ---------------------------------------------------------------- stage 3: sensitive policy

/**
 * Stage 3: an item of a sensitive class survives only when the class is the
 * current page's own context (and the reason is that context), or when the
 * person declared the class and consented explicitly — never on advertising.
 * Popularity, co-purchases and history never bring a sensitive item.
 */
export function sensitivePolicy(
  candidates: readonly Candidate[],
  input: Pick<DecisionInput, 'catalog' | 'view' | 'placement' | 'request'>,
): Candidate[] {
  const fromContext = contextClasses(input.request.context, input.catalog);
  const advertising = input.placement.kind === 'advertising';
  return candidates.filter((c) => {
    const cls = c.item.sensitiveClass;
    if (cls === null) return true;
    if (c.reason.basis === 'context' && fromContext.has(cls)) return true;
    if (advertising) return false;
    return c.reason.basis === 'declared' && input.view.maySelectSensitive(cls);
  });
}

// ---------------------------------------------------------------- stage 4: caps & suppression

/** Stage 4a: caps of the whole placement (placement, campaign, channel); a reason to withhold, or null. */
export function slateWithheld(input: DecisionInput): DecisionOutcome['withheld'] {
  const { placement, request, counters, view } = input;
  const isMessage = MESSAGE_KINDS.includes(placement.kind);
  if (isMessage) {
    if (!view.mayMessage()) return 'no_message_consent';
    if (request.context.trigger === 'location' && !view.mayUseLocation()) return 'no_location_consent';
    const channels = view.channels();
    if (channels !== undefined && !(channels as readonly string[]).includes(placement.kind)) return 'channel_refused';
    const quiet = view.quietHours();
    if (placement.honourQuietHours && quiet && inQuietHours(request.now, quiet)) return 'quiet_hours';
  }
  if (request.subjectId === undefined) return null;
  for (const cap of placement.caps) {
    const since = request.now - cap.windowMs;
    if (cap.scope === 'placement' && counters.count('placement', placement.id, since) >= cap.limit)
      return 'placement_cap';
    if (
      cap.scope === 'campaign' &&
      placement.campaign !== undefined &&
      counters.count('campaign', placement.campaign, since) >= cap.limit
    )
      return 'placement_cap';
    if (cap.scope === 'channel' && isMessage && counters.count('channel', placement.kind, since) >= cap.limit)
      return 'channel_cap';
  }
  return null;
}

/** Stage 4b: item caps, retargeting limits, suppression after purchase, objections, the request's exclusions. */
export function capsAndSuppression(candidates: readonly Candidate[], input: DecisionInput): Candidate[] {
  const { placement, request, counters, view, catalog } = input;
  const now = request.now;
  const excluded = new Set(request.exclude);
  if (request.context.itemId !== undefined) excluded.add(request.context.itemId);
  const itemCaps = placement.caps.filter((c) => c.scope === 'item');
  const purchases = view.purchases();
  const suppressedItems = new Set<string>();
  const suppressedCategories = new Set<string>();
  for (const [itemId, at] of purchases) {
    if (now - at > placement.suppression.purchasedDays * DAY) continue;
    suppressedItems.add(itemId);
    const item = catalog.item(itemId);
    if (placement.suppression.substitutes && item) suppressedCategories.add(item.category);
  }
  const dismissedSince = now - placement.suppression.dismissedDays * DAY;
  const objections = view.hasObjections();
  // Item caps count only for a known subject; each cap's window starts at the same time for every item.
  const caps =
    request.subjectId === undefined ? [] : itemCaps.map((cap) => ({ since: now - cap.windowMs, limit: cap.limit }));
  const retargetSince = now - placement.retargeting.maxAgeDays * DAY;
  const out: Candidate[] = [];
  // An item's verdict is worked out again for each of its candidates (two at
  // most, usually): a few set lookups, cheaper than keeping verdicts in a map
  // by item (perf: that map was 4 % of a decision's allocations).
  for (const c of candidates) {
    const item = c.item;
    if (excluded.has(c.itemId) || suppressedItems.has(c.itemId) || suppressedCategories.has(item.category)) continue;
    if (objections && view.objectsTo(c.itemId, item.category, dismissedSince)) continue;
    let capped = false;
    for (const cap of caps) capped ||= counters.count('item', c.itemId, cap.since) >= cap.limit;
    if (capped) continue;
    if (
      c.reason.code === 'retargeting' &&
      counters.count('retarget', c.itemId, retargetSince) >= placement.retargeting.maxImpressions
    )
      continue;
    out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------- stage 5: business rules

const inCategory = (category: string, path: string) => category === path || category.startsWith(`${path}/`);

/** Stage 5: availability and stock, include/exclude filters, boosts. */
export function businessRules(candidates: readonly Candidate[], input: DecisionInput): Candidate[] {
  const { rules } = input.placement;
  const excludeItems = new Set(rules.excludeItems);
  const out: Candidate[] = [];
  for (const c of candidates) {
    const item = c.item;
    if (!item.available) continue;
    if (item.stock !== null && item.stock < rules.minStock) continue;
    if (excludeItems.has(c.itemId)) continue;
    if (rules.includeCategories.length > 0 && !rules.includeCategories.some((p) => inCategory(item.category, p)))
      continue;
    if (rules.excludeCategories.some((p) => inCategory(item.category, p))) continue;
    let factor = 1;
    for (const b of rules.boosts) {
      if (
        (b.itemId !== undefined && b.itemId === c.itemId) ||
        (b.category !== undefined && inCategory(item.category, b.category))
      )
        factor *= b.factor;
    }
    out.push(factor === 1 ? c : Object.assign({}, c, { score: c.score * factor }));
  }
  return out;
}

// ---------------------------------------------------------------- stage 6: ranking

interface Ranked {
  readonly itemId: string;
  readonly item: CatalogItem;
  readonly score: number;
  readonly reasons: Reason[];
}

/** An item being ranked, then ranked: its best score and a little of each other one, its reasons best first. */
interface RankEntry {
  readonly itemId: string;
  readonly item: CatalogItem;
  score: number;
  best: number;
  extra: number;
  reasons: Reason[];
  /** The score its first candidate brought. */
  readonly first: number;
  /** The best score each reason brought, at the same index; left out while the item has one candidate. */
  scores: number[] | undefined;
}

/**
 * Stage 6: one entry per item, scored by its best signal plus a little for
 * each other one; reasons best first. Most items come from one source: an
 * entry starts with a one-reason array and no score list, and is itself the
 * ranked item (perf: this stage allocated a quarter of a decision's memory,
 * two growable arrays and a copy per item).
 */
export function rank(candidates: readonly Candidate[]): Ranked[] {
  const byItem = new Map<string, RankEntry>();
  const out: RankEntry[] = [];
  for (const c of candidates) {
    const e = byItem.get(c.itemId);
    if (e === undefined) {
      const positive = c.score > 0;
      const entry: RankEntry = {
        itemId: c.itemId,
        item: c.item,
        score: 0,
        best: positive ? c.score : 0,
        extra: positive ? 0 : 0.1 * c.score,
        reasons: [c.reason],
        first: c.score,
        scores: undefined,
      };
      byItem.set(c.itemId, entry);
      out.push(entry);
      continue;
    }
    if (c.score > e.best) {
      e.extra += 0.1 * e.best;
      e.best = c.score;
    } else e.extra += 0.1 * c.score;
    let same = -1;
    for (let i = 0; i < e.reasons.length && same < 0; i++) {
      const r = e.reasons[i] as Reason;
      if (r === c.reason || sameReason(r, c.reason)) same = i;
    }
    if (e.scores === undefined) e.scores = [e.first];
    const scores = e.scores;
    if (same >= 0) scores[same] = Math.max(scores[same] as number, c.score);
    else {
      e.reasons.push(c.reason);
      scores.push(c.score);
    }
  }
  for (const e of out) {
    if (e.scores !== undefined) {
      sortReasons(e.reasons, e.scores);
      if (e.reasons.length > 3) e.reasons.length = 3;
    }
    e.score = e.best + e.extra;
  }
  out.sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  return out;
}

/** Sorts reasons by their scores, best first, equal scores keeping their order (an insertion sort: an item has few). */
function sortReasons(reasons: Reason[], scores: number[]): void {
  for (let i = 1; i < reasons.length; i++) {
    const r = reasons[i] as Reason;
    const s = scores[i] as number;
    let j = i - 1;
    for (; j >= 0 && (scores[j] as number) < s; j--) {
      reasons[j + 1] = reasons[j] as Reason;
      scores[j + 1] = scores[j] as number;
    }
    reasons[j + 1] = r;
    scores[j + 1] = s;
  }
}

const sameReason = (a: Reason, b: Reason) =>
  a.code === b.code && a.item === b.item && a.interest === b.interest && a.category === b.category;

// ---------------------------------------------------------------- stage 7: diversity & exploration

/** Stage 7: at most `maxPerCategory` per leaf category, a share of exploration, pinned items at their place. */
export function diversify(ranked: readonly Ranked[], input: DecisionInput): Ranked[] {
  const { placement, request } = input;
  const limit = request.limit;
  const random = seededRandom(input.decisionId);
  const pins = new Map(placement.rules.pinned.map((p) => [p.itemId, p.position]));
  const perCategory = new Map<string, number>();
  const fits = (r: Ranked) => (perCategory.get(r.item.category) ?? 0) < placement.maxPerCategory;
  const take = (r: Ranked, into: Ranked[]) => {
    const cat = r.item.category;
    perCategory.set(cat, (perCategory.get(cat) ?? 0) + 1);
    into.push(r);
  };

  const exploreWanted = limit * Math.min(Math.max(placement.exploration, 0), 1);
  let exploreSlots = Math.floor(exploreWanted) + (random() < exploreWanted % 1 ? 1 : 0);
  const pinned = ranked.filter((r) => pins.has(r.itemId));
  const rest = ranked.filter((r) => !pins.has(r.itemId));
  const chosen: Ranked[] = [];
  const slots = Math.max(0, limit - pinned.length);
  // Exploration: popular items chosen at random among those not ranked at the top.
  const mainSlots = Math.max(0, slots - exploreSlots);
  const used = new Set<string>();
  for (const r of rest) {
    if (chosen.length >= mainSlots) break;
    if (!fits(r)) continue;
    take(r, chosen);
    used.add(r.itemId);
  }
  const pool = rest.filter((r) => !used.has(r.itemId) && r.reasons.every((x) => x.code === 'popular'));
  while (exploreSlots > 0 && pool.length > 0 && chosen.length < slots) {
    const i = Math.floor(random() * pool.length);
    const [r] = pool.splice(i, 1);
    if (!r || !fits(r)) continue;
    take(Object.assign({}, r, { reasons: [EXPLORATION_REASON] }), chosen);
    used.add(r.itemId);
    exploreSlots--;
  }
  // Fill what exploration could not.
  for (const r of rest) {
    if (chosen.length >= slots) break;
    if (used.has(r.itemId) || !fits(r)) continue;
    take(r, chosen);
    used.add(r.itemId);
  }
  for (const p of [...pinned].sort((a, b) => (pins.get(a.itemId) ?? 0) - (pins.get(b.itemId) ?? 0))) {
    const at = Math.min(pins.get(p.itemId) ?? 0, chosen.length);
    chosen.splice(at, 0, p);
  }
  return chosen.slice(0, limit);
}

// ---------------------------------------------------------------- stages 8–9: explanation & audit

const modeOf = (items: readonly DecidedItem[]): DecisionMode => {
  if (items.some((i) => i.reasons.some(isPersonalReason))) return 'personalized';
  if (items.some((i) => i.reasons.some((r) => r.basis === 'context'))) return 'contextual';
  return 'popular';
};

/** Stage 8: every item keeps only reasons it can be explained with; a personal item always has one. */
export function explain(ranked: readonly Ranked[]): DecidedItem[] {
  return ranked.map((r) => ({
    itemId: r.itemId,
    item: r.item,
    score: Math.round(r.score * 1e6) / 1e6,
    reasons: r.reasons.length > 0 ? r.reasons : [POPULAR_REASON],
  }));
}

/** Stage 9: what the decision relied on (categories and consents, never the data) and the counters to add. */
export function auditOf(
  input: DecisionInput,
  items: readonly DecidedItem[],
  withheld: DecisionOutcome['withheld'],
): { audit: AuditRecord; increments: CounterIncrement[] } {
  const { request, placement, view } = input;
  const categories = new Set<SelectionCategory>();
  const consents = new Set<Purpose>();
  for (const i of items)
    for (const r of i.reasons) {
      for (const c of r.dataCategories) categories.add(c);
      for (const p of r.consents) consents.add(p);
    }
  const suppression: SuppressionCategory[] = [];
  if (view.hasObjections()) suppression.push('user.preference.objections');
  if (request.subjectId !== undefined && (placement.caps.length > 0 || placement.retargeting.enabled))
    suppression.push('system.frequency_counters');
  const contextUsed = (Object.keys(request.context) as (keyof DecisionContext)[]).filter(
    (k) => k !== 'locale' && request.context[k] !== undefined,
  );
  const mode = modeOf(items);
  const audit: AuditRecord = {
    decisionId: input.decisionId,
    tenantId: request.tenantId,
    subjectId: request.subjectId ?? null,
    placement: placement.id,
    placementKind: placement.kind,
    purpose: request.purpose,
    mode,
    controlGroup: view.nonPersonalBecause === 'control_group',
    nonPersonalBecause: view.nonPersonalBecause,
    items: items.map((i) => ({ itemId: i.itemId, reasons: i.reasons })),
    dataCategories: [...categories].sort(),
    suppressionCategories: suppression,
    consents: [...consents].sort(),
    contextUsed,
    locale: request.context.locale ?? view.locale() ?? 'en',
    at: request.now,
  };
  const increments: CounterIncrement[] = [];
  if (request.subjectId !== undefined && withheld === null && items.length > 0) {
    increments.push({ scope: 'placement', key: placement.id });
    if (placement.campaign !== undefined) increments.push({ scope: 'campaign', key: placement.campaign });
    if (MESSAGE_KINDS.includes(placement.kind)) increments.push({ scope: 'channel', key: placement.kind });
    for (const i of items) {
      increments.push({ scope: 'item', key: i.itemId });
      if (i.reasons.some((r) => r.code === 'retargeting')) increments.push({ scope: 'retarget', key: i.itemId });
    }
  }
  return { audit, increments };
}

// ---------------------------------------------------------------- the whole pipeline

/**
 * Runs every stage in order and returns the items, the mode, the audit record
 * and the counters to add once the answer is served.
 *
 * @example
 * const outcome = decide({ decisionId, request, placement, view, catalog, sources, counters });
 * outcome.items[0]?.reasons[0]?.code; // 'bought'
 */
export function decide(input: DecisionInput): DecisionOutcome {
  const withheld = slateWithheld(input);
  let items: DecidedItem[] = [];
  if (withheld === null) {
    let candidates: readonly Candidate[] = collectCandidates(input);
    candidates = consentFilter(candidates, input.view);
    candidates = sensitivePolicy(candidates, input);
    candidates = capsAndSuppression(candidates, input);
    candidates = businessRules(candidates, input);
    items = explain(diversify(rank(candidates), input));
  }
  const { audit, increments } = auditOf(input, items, withheld);
  return { items, mode: audit.mode, audit, increments, withheld };
}

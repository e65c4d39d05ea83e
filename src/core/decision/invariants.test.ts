import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { EffectiveStatus } from '../consent/state.ts';
import { LOCALES, renderReason } from '../explain/reasons.ts';
import type { Purpose } from '../purposes.ts';
import { BASE_PURPOSES, sensitivePurpose } from '../purposes.ts';
import type { SensitiveClass } from '../sensitive.ts';
import { SENSITIVE_CLASSES } from '../sensitive.ts';
import { ConsentedView } from './consented-view.ts';
import { MemoryCatalog } from './memory-catalog.ts';
import type { DecisionInput } from './pipeline.ts';
import { contextClasses, decide, isPersonalReason } from './pipeline.ts';
import { defaultPlacement } from './placement.ts';
import type {
  CandidateSources,
  CapCounters,
  CapRule,
  CounterIncrement,
  DecisionOutcome,
  Interaction,
  PlacementConfig,
  PlacementKind,
  Scored,
  SubjectRecords,
} from './types.ts';

// A small shop with ordinary and sensitive categories; the models are adversarial:
// they may propose any item, with any anchor, whatever they were given.
const CATEGORIES = [
  'clothing/coats',
  'clothing/gloves',
  'clothing/scarves',
  'beauty/skin-care',
  'health/vitamins',
  'baby/nappies',
  'health/pregnancy-tests',
  'pets/cat-food',
  'grocery/tea',
  'toys/lego',
] as const;
const TAGS = new Map<string, SensitiveClass>([
  ['health', 'health'],
  ['baby', 'pregnancy_baby'],
  ['health/pregnancy-tests', 'pregnancy_baby'],
  ['toys', 'children'],
]);
const ITEMS = CATEGORIES.flatMap((category, c) =>
  [0, 1, 2].map((n) => ({
    id: `i${c}-${n}`,
    title: `Item ${c}-${n}`,
    category,
    available: n !== 2 || c % 3 !== 0,
    stock: n === 1 ? c % 4 : null,
  })),
);
const catalog = new MemoryCatalog(ITEMS, TAGS);
const ITEM_IDS = ITEMS.map((i) => i.id);
const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-23T12:00:00Z');

const itemId = fc.constantFrom(...ITEM_IDS);
const scoredList = fc.array(
  fc.record({
    itemId,
    score: fc.double({ min: 0, max: 10, noNaN: true }),
    anchor: fc.option(itemId, { nil: undefined }),
  }),
  { maxLength: 12 },
);
const clean = (list: { itemId: string; score: number; anchor: string | undefined }[]): Scored[] =>
  list.map((s) => (s.anchor === undefined ? { itemId: s.itemId, score: s.score } : (s as Scored)));

const sourcesArb = fc
  .record({
    complements: scoredList,
    similar: scoredList,
    personal: scoredList,
    popular: scoredList,
    search: scoredList,
  })
  .map(
    (l): CandidateSources => ({
      complements: () => clean(l.complements),
      similar: () => clean(l.similar),
      personal: () => clean(l.personal),
      popular: () => clean(l.popular),
      search: () => clean(l.search),
    }),
  );

const statusArb = fc.constantFrom<EffectiveStatus>(
  'granted',
  'granted',
  'granted',
  'granted',
  'denied',
  'withdrawn',
  'needs_renewal',
  'unset',
);
const consentsArb = fc
  .record({
    base: fc.tuple(...BASE_PURPOSES.map((p) => fc.tuple(fc.constant(p), statusArb))),
    sensitive: fc.array(fc.tuple(fc.constantFrom<SensitiveClass>(...SENSITIVE_CLASSES), statusArb), { maxLength: 4 }),
  })
  .map(({ base, sensitive }) => {
    const m = new Map<Purpose, EffectiveStatus>(base);
    for (const [c, s] of sensitive) m.set(sensitivePurpose(c), s);
    return m as ReadonlyMap<Purpose, EffectiveStatus>;
  });

const interactionArb = fc.record({
  itemId,
  kind: fc.constantFrom<Interaction['kind']>('view', 'cart', 'purchase', 'dismiss'),
  at: fc.integer({ min: NOW - 16 * DAY, max: NOW }),
  purpose: fc.constantFrom<Purpose>(
    'personalization',
    'personalization',
    'personalization',
    'marketing_messages',
    'measurement',
  ),
});
const interestValues = [...CATEGORIES, 'clothing', 'baby', 'health', 'pregnancy_baby', 'children', 'tea lover'];
const recordsArb: fc.Arbitrary<SubjectRecords> = fc.record({
  interactions: fc.array(interactionArb, { maxLength: 10 }),
  declarations: fc.record(
    {
      interests: fc.record({
        values: fc.subarray(interestValues, { maxLength: 3 }),
        purpose: fc.constantFrom<Purpose>('personalization', 'marketing_messages'),
      }),
      notInterested: fc.record({ values: fc.subarray([...ITEM_IDS.slice(0, 6), 'pets'], { maxLength: 2 }) }),
      channels: fc.record({
        values: fc.subarray(['email', 'sms', 'push'] as const),
        purpose: fc.constant<Purpose>('marketing_messages'),
      }),
    },
    { requiredKeys: [] },
  ),
});

const placementArb: fc.Arbitrary<PlacementConfig> = fc
  .record({
    kind: fc.constantFrom<PlacementKind>('onsite', 'onsite', 'onsite', 'email', 'push', 'advertising'),
    caps: fc.array(
      fc.record({
        scope: fc.constantFrom<CapRule['scope']>('placement', 'item', 'channel'),
        limit: fc.integer({ min: 0, max: 4 }),
        windowMs: fc.constantFrom(DAY, 7 * DAY),
      }),
      { maxLength: 3 },
    ),
    maxPerCategory: fc.integer({ min: 1, max: 3 }),
    exploration: fc.constantFrom(0, 0.2, 0.5),
    retargeting: fc.record({
      enabled: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      halfLifeDays: fc.constantFrom(1, 3),
      maxAgeDays: fc.constantFrom(3, 14),
      maxImpressions: fc.integer({ min: 0, max: 3 }),
    }),
    pinned: fc.array(fc.record({ itemId, position: fc.integer({ min: 0, max: 3 }) }), { maxLength: 2 }),
  })
  .map((p) => {
    const base = defaultPlacement('slot', p.kind);
    return {
      ...base,
      caps: p.caps,
      maxPerCategory: p.maxPerCategory,
      exploration: p.exploration,
      retargeting: p.retargeting,
      rules: { ...base.rules, pinned: p.pinned, minStock: 0 },
    };
  });

const requestArb = fc.record({
  subjectId: fc.option(fc.constant<string>('s1'), { nil: undefined, freq: 6 }),
  purpose: fc.constantFrom<Purpose>('personalization', 'personalization', 'marketing_messages', 'retargeting'),
  contextItem: fc.option(itemId, { nil: undefined }),
  contextCategory: fc.option(fc.constantFrom(...CATEGORIES, 'baby', 'clothing'), { nil: undefined }),
  search: fc.option(fc.constant('warm'), { nil: undefined }),
  limit: fc.integer({ min: 1, max: 8 }),
  gpc: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  knownMinor: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  control: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  exclude: fc.subarray(ITEM_IDS, { maxLength: 3 }),
});

type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

const noCounters: CapCounters = { count: () => 0 };

function build(
  req: Req,
  placement: PlacementConfig,
  consents: ReadonlyMap<Purpose, EffectiveStatus>,
  records: SubjectRecords,
  sources: CandidateSources,
  counters: CapCounters = noCounters,
  now = NOW,
): DecisionInput {
  const context = {
    ...(req.contextItem === undefined ? {} : { itemId: req.contextItem }),
    ...(req.contextCategory === undefined ? {} : { category: req.contextCategory }),
    ...(req.search === undefined ? {} : { search: req.search }),
  };
  const view = ConsentedView.build({
    purpose: req.purpose,
    placementKind: placement.kind,
    subjectId: req.subjectId,
    consents,
    records,
    catalog,
    gpc: req.gpc,
    knownMinor: req.knownMinor,
    controlGroup: req.control,
  });
  return {
    decisionId: 'd-1',
    request: {
      tenantId: 'shop',
      placement: placement.id,
      subjectId: req.subjectId,
      purpose: req.purpose,
      context,
      limit: req.limit,
      exclude: req.exclude,
      gpc: req.gpc,
      knownMinor: req.knownMinor,
      now,
    },
    placement,
    view,
    catalog,
    sources,
    counters,
  };
}

const granted = (consents: ReadonlyMap<Purpose, EffectiveStatus>, p: Purpose) => consents.get(p) === 'granted';

/** What the pipeline may still read when nothing personal is allowed: objections, refused channels, quiet hours. */
const onlySuppression = (r: SubjectRecords): SubjectRecords => ({
  interactions: r.interactions.filter((i) => i.kind === 'dismiss'),
  declarations: {
    ...(r.declarations.notInterested ? { notInterested: r.declarations.notInterested } : {}),
    ...(r.declarations.quietHours ? { quietHours: r.declarations.quietHours } : {}),
    ...(r.declarations.channels ? { channels: r.declarations.channels } : {}),
  },
});

const RUNS = { numRuns: 400 };
const all = fc.tuple(requestArb, placementArb, consentsArb, recordsArb, sourcesArb);

test('without consent for the purpose, a decision is exactly what it would be without the subject’s data', () => {
  fc.assert(
    fc.property(all, ([req, placement, consents, records, sources]) => {
      const withData = decide(build(req, placement, consents, records, sources));
      const personalAllowed =
        req.subjectId !== undefined &&
        !req.control &&
        granted(consents, req.purpose) &&
        !(placement.kind === 'advertising' && req.knownMinor);
      if (personalAllowed) return;
      const without = decide(build(req, placement, consents, onlySuppression(records), sources));
      assert.deepEqual(withData.items, without.items);
      assert.notEqual(withData.mode, 'personalized');
      assert.deepEqual(withData.audit.dataCategories, []);
      for (const item of withData.items) assert.ok(!item.reasons.some(isPersonalReason));
    }),
    RUNS,
  );
});

test('every personal reason relies on granted consents and on data the person gave for a granted purpose', () => {
  const seen = { personalized: 0, declared: 0, sensitive: 0 };
  fc.assert(
    fc.property(all, ([req, placement, consents, records, sources]) => {
      const out = decide(build(req, placement, consents, records, sources));
      if (out.mode === 'personalized') seen.personalized++;
      if (out.items.some((i) => i.reasons.some((r) => r.basis === 'declared'))) seen.declared++;
      if (out.items.some((i) => catalog.item(i.itemId)?.sensitiveClass)) seen.sensitive++;
      for (const item of out.items)
        for (const r of item.reasons) {
          if (!isPersonalReason(r)) continue;
          assert.ok(granted(consents, req.purpose), 'consent for the purpose');
          for (const p of r.consents) assert.ok(granted(consents, p), `consent for ${p}`);
          if (r.code === 'retargeting') {
            assert.ok(granted(consents, 'retargeting') && !req.gpc, 'retargeting needs consent and no GPC');
            assert.ok(
              !records.interactions.some(
                (i) => i.itemId === r.item && i.kind === 'purchase' && granted(consents, i.purpose),
              ),
            );
          }
          if (r.item !== undefined && r.basis === 'observed') {
            assert.ok(
              records.interactions.some(
                (i) => i.itemId === r.item && i.kind !== 'dismiss' && granted(consents, i.purpose),
              ),
              'the anchor is in the consented history',
            );
          }
          if (r.basis === 'declared') {
            const d = records.declarations.interests;
            assert.ok(d && granted(consents, d.purpose) && d.values.includes(r.interest as string));
          }
        }
      assert.equal(
        out.mode === 'personalized',
        out.items.some((i) => i.reasons.some(isPersonalReason)),
      );
    }),
    { numRuns: 1000 },
  );
  // The generators must reach the personal paths, or the property proves little.
  for (const [what, n] of Object.entries(seen)) assert.ok(n >= 5, `only ${n} of 1000 runs had ${what} items`);
});

test('a sensitive item is chosen only from the page’s own context, or a declared and explicitly consented interest — never on advertising', () => {
  fc.assert(
    fc.property(all, ([req, placement, consents, records, sources]) => {
      const input = build(req, placement, consents, records, sources);
      const out = decide(input);
      const fromContext = contextClasses(input.request.context, catalog);
      for (const item of out.items) {
        const cls = catalog.item(item.itemId)?.sensitiveClass ?? null;
        if (cls === null || fromContext.has(cls)) continue;
        assert.notEqual(placement.kind, 'advertising', `${item.itemId} (${cls}) on advertising`);
        const declared = records.declarations.interests;
        assert.ok(granted(consents, sensitivePurpose(cls)), `explicit consent for ${cls}`);
        assert.ok(declared && granted(consents, declared.purpose), 'declared interests usable');
        assert.ok(
          declared.values.some((v) => v === cls || catalog.classOfCategory(v) === cls),
          `${cls} was declared`,
        );
        assert.ok(
          item.reasons.every((r) => r.basis === 'declared'),
          'only the declaration brought it',
        );
      }
    }),
    RUNS,
  );
});

test('observed behaviour on sensitive items changes nothing unless the class was declared with explicit consent', () => {
  const sensitiveIds = ITEMS.filter((i) => catalog.item(i.id)?.sensitiveClass !== null).map((i) => i.id);
  fc.assert(
    fc.property(
      all,
      fc.array(
        fc.record({
          itemId: fc.constantFrom(...sensitiveIds),
          kind: fc.constantFrom<Interaction['kind']>('view', 'cart', 'purchase'),
          at: fc.integer({ min: NOW - 10 * DAY, max: NOW }),
          purpose: fc.constant<Purpose>('personalization'),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      ([req, placement, consents, records, sources], extra) => {
        const declared = new Set(
          (records.declarations.interests?.values ?? []).flatMap((v) => {
            const c = catalog.classOfCategory(v) ?? ((SENSITIVE_CLASSES as readonly string[]).includes(v) ? v : null);
            return c === null ? [] : [c];
          }),
        );
        const relevant = extra.filter((e) => !declared.has(catalog.item(e.itemId)?.sensitiveClass as string));
        const a = decide(build(req, placement, consents, records, sources));
        const b = decide(
          build(
            req,
            placement,
            consents,
            { ...records, interactions: [...records.interactions, ...relevant] },
            sources,
          ),
        );
        assert.deepEqual(a.items, b.items);
      },
    ),
    RUNS,
  );
});

test('caps never exceed their limits over a run of decisions', () => {
  fc.assert(
    fc.property(
      requestArb,
      placementArb,
      consentsArb,
      recordsArb,
      sourcesArb,
      fc.array(fc.integer({ min: 0, max: 12 * 3600 * 1000 }), { minLength: 1, maxLength: 12 }),
      (req0, placement, consents, records, sources, gaps) => {
        const req = { ...req0, subjectId: 's1' };
        const log: { inc: CounterIncrement; at: number }[] = [];
        const counters: CapCounters = {
          count: (scope, key, since) =>
            log.filter((e) => e.inc.scope === scope && e.inc.key === key && e.at >= since).length,
        };
        let now = NOW;
        for (const gap of gaps) {
          now += gap;
          const out: DecisionOutcome = decide(build(req, placement, consents, records, sources, counters, now));
          for (const inc of out.increments) log.push({ inc, at: now });
          for (const cap of placement.caps) {
            const keys =
              cap.scope === 'placement'
                ? [placement.id]
                : cap.scope === 'channel'
                  ? [placement.kind]
                  : cap.scope === 'item'
                    ? ITEM_IDS
                    : [];
            for (const key of keys) assert.ok(counters.count(cap.scope, key, now - cap.windowMs) <= cap.limit);
          }
          for (const id of ITEM_IDS) {
            const { maxImpressions, maxAgeDays } = placement.retargeting;
            assert.ok(counters.count('retarget', id, now - maxAgeDays * DAY) <= maxImpressions);
          }
          assert.ok(out.items.length <= req.limit);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('every item has a reason that renders in every locale; slates respect availability, exclusions and diversity', () => {
  fc.assert(
    fc.property(all, ([req, placement, consents, records, sources]) => {
      const out = decide(build(req, placement, consents, records, sources));
      const perCategory = new Map<string, number>();
      const pinnedIds = new Set(placement.rules.pinned.map((p) => p.itemId));
      for (const item of out.items) {
        assert.ok(item.reasons.length > 0);
        for (const r of item.reasons)
          for (const locale of LOCALES) {
            const text = renderReason(r, locale);
            assert.ok(text.length > 0 && !text.includes('{'), text);
          }
        const cat = catalog.item(item.itemId);
        assert.ok(cat?.available);
        assert.ok(!req.exclude.includes(item.itemId));
        assert.notEqual(item.itemId, req.contextItem);
        if (!pinnedIds.has(item.itemId))
          perCategory.set(cat?.category ?? '', (perCategory.get(cat?.category ?? '') ?? 0) + 1);
      }
      for (const n of perCategory.values()) assert.ok(n <= placement.maxPerCategory);
      assert.equal(new Set(out.items.map((i) => i.itemId)).size, out.items.length);
    }),
    RUNS,
  );
});

test('retargeting needs its own consent and no GPC, stops once bought, and fades with age', () => {
  let shown = 0;
  fc.assert(
    fc.property(
      requestArb,
      fc.record({
        retargeting: statusArb,
        personalization: fc.constantFrom<EffectiveStatus>('granted', 'granted', 'denied'),
      }),
      fc.array(
        fc.record({
          itemId,
          kind: fc.constantFrom<Interaction['kind']>('view', 'view', 'view', 'purchase'),
          at: fc.integer({ min: NOW - 20 * DAY, max: NOW }),
          purpose: fc.constant<Purpose>('personalization'),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      sourcesArb,
      (req0, statuses, interactions, sources) => {
        const req = { ...req0, subjectId: 's1', purpose: 'personalization' as Purpose, control: false };
        const base = defaultPlacement('slot', 'onsite');
        const placement = {
          ...base,
          rules: { ...base.rules, minStock: 0 },
          suppression: { ...base.suppression, substitutes: false },
        };
        const consents = new Map<Purpose, EffectiveStatus>([
          ['personalization', statuses.personalization],
          ['retargeting', statuses.retargeting],
        ]);
        const out = decide(build(req, placement, consents, { interactions, declarations: {} }, sources));
        for (const item of out.items)
          for (const r of item.reasons) {
            if (r.code !== 'retargeting') continue;
            shown++;
            assert.equal(statuses.retargeting, 'granted');
            assert.equal(statuses.personalization, 'granted');
            assert.equal(req.gpc, false);
            assert.ok(!interactions.some((i) => i.itemId === item.itemId && i.kind === 'purchase'));
            const lastView = Math.max(...interactions.filter((i) => i.itemId === item.itemId).map((i) => i.at));
            assert.ok(NOW - lastView <= placement.retargeting.maxAgeDays * DAY);
          }
      },
    ),
    { numRuns: 500 },
  );
  assert.ok(shown >= 10, `only ${shown} retargeted items in 500 runs`);
});

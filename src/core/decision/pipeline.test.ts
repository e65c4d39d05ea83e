import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EffectiveStatus } from '../consent/state.ts';
import { renderReason } from '../explain/reasons.ts';
import type { Purpose } from '../purposes.ts';
import type { SensitiveClass } from '../sensitive.ts';
import { ConsentedView } from './consented-view.ts';
import { MemoryCatalog } from './memory-catalog.ts';
import { decide, rank } from './pipeline.ts';
import { defaultPlacement } from './placement.ts';
import { inQuietHours } from './quiet-hours.ts';
import { inControlGroup } from './random.ts';
import type {
  Candidate,
  CandidateSources,
  CapCounters,
  PlacementConfig,
  Reason,
  Scored,
  SubjectRecords,
} from './types.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const catalog = new MemoryCatalog(
  [
    ['coat', 'clothing/coats'],
    ['coat-2', 'clothing/coats'],
    ['gloves', 'clothing/gloves'],
    ['scarf', 'clothing/scarves'],
    ['trousers', 'clothing/trousers'],
    ['cat-food', 'pets/cat-food'],
    ['lotion', 'beauty/skin-care'],
    ['cotton', 'beauty/cotton-wool'],
    ['vitamins', 'health/vitamins'],
    ['nappies', 'baby/nappies'],
    ['prenatal', 'health/prenatal'],
  ].map(([id, category]) => ({
    id: id as string,
    title: id as string,
    category: category as string,
    available: true,
    stock: null,
  })),
  new Map<string, SensitiveClass>([
    ['health', 'health'],
    ['baby', 'pregnancy_baby'],
    ['health/prenatal', 'pregnancy_baby'],
  ]),
);

/** Co-purchases as a shop would see them: lotion buyers often buy nappies and prenatal vitamins. */
const BOUGHT_WITH: Record<string, string[]> = {
  coat: ['gloves', 'scarf', 'coat-2', 'cat-food'],
  lotion: ['nappies', 'prenatal', 'cotton'],
  cotton: ['nappies', 'lotion'],
  vitamins: ['prenatal', 'nappies'],
  trousers: ['coat'],
};
const sources: CandidateSources = {
  complements: (anchors) =>
    anchors.flatMap((a) => (BOUGHT_WITH[a] ?? []).map((itemId, i): Scored => ({ itemId, score: 10 - i, anchor: a }))),
  similar: (id) => (id === 'coat' ? [{ itemId: 'coat-2', score: 1, anchor: id }] : []),
  personal: (history) =>
    history.flatMap((h) =>
      (BOUGHT_WITH[h.itemId] ?? []).map((itemId, i) => ({ itemId, score: 5 - i, anchor: h.itemId })),
    ),
  popular: (category) =>
    ['nappies', 'cat-food', 'gloves', 'lotion', 'trousers']
      .filter((id) => category === undefined || catalog.item(id)?.category.startsWith(category))
      .map((itemId, i) => ({ itemId, score: 5 - i })),
};

const all = (status: EffectiveStatus, ...purposes: Purpose[]) => new Map(purposes.map((p) => [p, status] as const));
const none: CapCounters = { count: () => 0 };

function run(options: {
  records: SubjectRecords;
  consents: ReadonlyMap<Purpose, EffectiveStatus>;
  placement?: PlacementConfig;
  context?: { itemId?: string; category?: string; trigger?: 'location' };
  gpc?: boolean;
  knownMinor?: boolean;
  counters?: CapCounters;
  now?: number;
  limit?: number;
}) {
  const placement = options.placement ?? defaultPlacement('home');
  const view = ConsentedView.build({
    purpose: 'personalization',
    placementKind: placement.kind,
    subjectId: 'anna',
    consents: options.consents,
    records: options.records,
    catalog,
    gpc: options.gpc ?? false,
    knownMinor: options.knownMinor ?? false,
    controlGroup: false,
  });
  return decide({
    decisionId: 'd',
    request: {
      tenantId: 'shop',
      placement: placement.id,
      subjectId: 'anna',
      purpose: 'personalization',
      context: options.context ?? {},
      limit: options.limit ?? 4,
      exclude: [],
      gpc: options.gpc ?? false,
      knownMinor: options.knownMinor ?? false,
      now: options.now ?? NOW,
    },
    placement,
    view,
    catalog,
    sources,
    counters: options.counters ?? none,
  });
}

const bought = (itemId: string, daysAgo = 1) =>
  ({ itemId, kind: 'purchase', at: NOW - daysAgo * DAY, purpose: 'personalization' }) as const;
const viewed = (itemId: string, daysAgo = 1) =>
  ({ itemId, kind: 'view', at: NOW - daysAgo * DAY, purpose: 'personalization' }) as const;
const consented = all('granted', 'personalization', 'retargeting');

describe('the decision pipeline', () => {
  test('a coat buyer gets gloves and scarves, not another coat; each with "because you bought"', () => {
    const out = run({ records: { interactions: [bought('coat')], declarations: {} }, consents: consented });
    const ids = out.items.map((i) => i.itemId);
    assert.equal(out.mode, 'personalized');
    assert.deepEqual(ids.slice(0, 2), ['gloves', 'scarf']);
    assert.ok(!ids.includes('coat-2'), 'a substitute of what was just bought');
    assert.ok(ids.indexOf('cat-food') === -1 || ids.indexOf('cat-food') > 1);
    const first = out.items[0]?.reasons[0];
    assert.equal(first && renderReason(first, 'en'), 'Because you bought coat');
    assert.equal(first && renderReason(first, 'fr'), 'Parce que vous avez acheté coat');
    assert.deepEqual(out.audit.dataCategories, ['user.behavior.purchase_history']);
    assert.deepEqual(out.audit.consents, ['personalization']);
  });

  test('lotion, vitamins and cotton wool never bring pregnancy or baby products, in any placement', () => {
    const records: SubjectRecords = {
      interactions: [bought('lotion', 3), bought('vitamins', 2), bought('cotton', 1)],
      declarations: {},
    };
    for (const kind of ['onsite', 'email', 'push', 'advertising'] as const) {
      const out = run({
        records,
        consents: all(
          'granted',
          'personalization',
          'retargeting',
          'marketing_messages',
          'sensitive:pregnancy_baby',
          'sensitive:health',
        ),
        placement: defaultPlacement(kind, kind),
        limit: 10,
      });
      const classes = out.items.map((i) => catalog.item(i.itemId)?.sensitiveClass);
      assert.ok(!classes.includes('pregnancy_baby'), `${kind}: ${out.items.map((i) => i.itemId)}`);
      assert.ok(!classes.includes('health'), `${kind}: vitamins are health, never inferred`);
    }
  });

  test('baby products appear once she declared the interest and consented explicitly — but never in advertising', () => {
    const records: SubjectRecords = {
      interactions: [bought('lotion')],
      declarations: { interests: { values: ['baby'], purpose: 'personalization' } },
    };
    const declaredOnly = run({ records, consents: consented, limit: 10 });
    assert.ok(!declaredOnly.items.some((i) => i.itemId === 'nappies'), 'declared without explicit consent');
    const withConsent = all('granted', 'personalization', 'sensitive:pregnancy_baby');
    const out = run({ records, consents: withConsent, limit: 10 });
    const nappies = out.items.find((i) => i.itemId === 'nappies');
    assert.ok(nappies);
    assert.equal(nappies.reasons[0]?.code, 'declared_interest');
    assert.equal(renderReason(nappies.reasons[0] as never, 'it'), 'Ci hai detto che ti piace baby');
    assert.ok(out.audit.consents.includes('sensitive:pregnancy_baby'));
    const ad = run({ records, consents: withConsent, placement: defaultPlacement('ad', 'advertising'), limit: 10 });
    assert.ok(!ad.items.some((i) => catalog.item(i.itemId)?.sensitiveClass));
  });

  test('the page’s own context may show its sensitive class; only that class', () => {
    const out = run({
      records: { interactions: [], declarations: {} },
      consents: new Map(),
      context: { category: 'baby' },
      limit: 10,
    });
    assert.equal(out.mode, 'contextual');
    assert.ok(out.items.some((i) => i.itemId === 'nappies'));
    const onLotion = run({
      records: { interactions: [], declarations: {} },
      consents: new Map(),
      context: { itemId: 'lotion' },
    });
    assert.ok(onLotion.items.every((i) => catalog.item(i.itemId)?.sensitiveClass === null));
    assert.ok(onLotion.items.some((i) => i.itemId === 'cotton'));
  });

  test('no consent, or consent withdrawn: a contextual or popular decision that reads nothing personal', () => {
    const records: SubjectRecords = { interactions: [bought('coat')], declarations: {} };
    const out = run({ records, consents: all('withdrawn', 'personalization'), context: { itemId: 'trousers' } });
    assert.equal(out.mode, 'contextual');
    assert.equal(out.audit.nonPersonalBecause, 'no_consent');
    assert.deepEqual(out.audit.dataCategories, []);
    assert.ok(out.items.every((i) => i.reasons.every((r) => r.basis === 'context' || r.basis === 'none')));
  });

  test('abandoned trousers are retargeted with fading weight, at most N times, never after purchase or with GPC', () => {
    const records: SubjectRecords = { interactions: [viewed('trousers', 1)], declarations: {} };
    const placement = defaultPlacement('home');
    const fresh = run({ records, consents: consented, placement });
    const item = fresh.items.find((i) => i.itemId === 'trousers');
    assert.equal(item?.reasons[0]?.code, 'retargeting');
    assert.ok(fresh.increments.some((i) => i.scope === 'retarget' && i.key === 'trousers'));
    const older = run({ records: { interactions: [viewed('trousers', 10)], declarations: {} }, consents: consented });
    assert.ok((older.items.find((i) => i.itemId === 'trousers')?.score ?? 0) < (item?.score ?? 0));
    const expired = run({ records: { interactions: [viewed('trousers', 20)], declarations: {} }, consents: consented });
    assert.ok(!expired.items.some((i) => i.reasons.some((r) => r.code === 'retargeting')));
    const capped = run({ records, consents: consented, counters: { count: (s) => (s === 'retarget' ? 3 : 0) } });
    assert.ok(!capped.items.some((i) => i.reasons.some((r) => r.code === 'retargeting')));
    const boughtThem = run({
      records: { interactions: [viewed('trousers', 2), bought('trousers', 1)], declarations: {} },
      consents: consented,
    });
    assert.ok(!boughtThem.items.some((i) => i.itemId === 'trousers'));
    const gpc = run({ records, consents: consented, gpc: true });
    assert.ok(!gpc.items.some((i) => i.reasons.some((r) => r.code === 'retargeting')));
  });

  test('messages: consent, declared channels, quiet hours and weekly channel caps', () => {
    const records: SubjectRecords = {
      interactions: [bought('coat')],
      declarations: {
        channels: { values: ['email'], purpose: 'marketing_messages' },
        quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Paris' },
      },
    };
    const email = defaultPlacement('newsletter', 'email');
    assert.equal(run({ records, consents: consented, placement: email }).withheld, 'no_message_consent');
    const ok = all('granted', 'personalization', 'marketing_messages');
    assert.equal(run({ records, consents: ok, placement: email }).withheld, null);
    assert.equal(run({ records, consents: ok, placement: defaultPlacement('sms', 'sms') }).withheld, 'channel_refused');
    const night = Date.parse('2026-11-23T22:30:00Z');
    assert.equal(run({ records, consents: ok, placement: email, now: night }).withheld, 'quiet_hours');
    const capped = run({
      records,
      consents: ok,
      placement: email,
      counters: { count: (s) => (s === 'channel' ? 3 : 0) },
    });
    assert.equal(capped.withheld, 'channel_cap');
    const located = { context: { trigger: 'location' } } as const;
    assert.equal(run({ records, consents: ok, placement: email, ...located }).withheld, 'no_location_consent');
    const withLocation = all('granted', 'personalization', 'marketing_messages', 'location_offers');
    assert.equal(run({ records, consents: withLocation, placement: email, ...located }).withheld, null);
    assert.deepEqual(capped.items, []);
  });

  test('"not interested", dismissals, business rules, pins and the per-category limit', () => {
    const placement: PlacementConfig = {
      ...defaultPlacement('home'),
      maxPerCategory: 1,
      rules: {
        ...defaultPlacement('home').rules,
        excludeCategories: ['pets'],
        pinned: [{ itemId: 'trousers', position: 0 }],
      },
    };
    const out = run({
      records: {
        interactions: [
          bought('coat', 5),
          { itemId: 'scarf', kind: 'dismiss', at: NOW - DAY, purpose: 'personalization' },
        ],
        declarations: { notInterested: { values: ['clothing/gloves'] } },
      },
      consents: consented,
      placement,
    });
    const ids = out.items.map((i) => i.itemId);
    assert.equal(ids[0], 'trousers');
    assert.ok(!ids.includes('gloves') && !ids.includes('scarf') && !ids.includes('cat-food'), ids.join());
    assert.ok(out.audit.suppressionCategories.includes('user.preference.objections'));
  });

  test('known minors get no profiling-based advertising', () => {
    const out = run({
      records: { interactions: [bought('coat')], declarations: {} },
      consents: consented,
      placement: defaultPlacement('ad', 'advertising'),
      knownMinor: true,
    });
    assert.notEqual(out.mode, 'personalized');
    assert.equal(out.audit.nonPersonalBecause, 'known_minor_advertising');
  });
});

test('quiet hours wrap midnight in the person’s time zone', () => {
  const q = { from: '22:00', to: '07:00', timeZone: 'Europe/Rome' };
  assert.equal(inQuietHours(Date.parse('2026-11-23T21:30:00Z'), q), true);
  assert.equal(inQuietHours(Date.parse('2026-11-23T06:30:00Z'), q), false);
  assert.equal(inQuietHours(Date.parse('2026-11-23T05:30:00Z'), q), true);
});

test('the control group is a stable share of subjects', () => {
  let n = 0;
  for (let i = 0; i < 10000; i++) if (inControlGroup('shop', `s${i}`, 0.1)) n++;
  assert.ok(n > 900 && n < 1100, String(n));
  assert.equal(inControlGroup('shop', 's1', 0.1), inControlGroup('shop', 's1', 0.1));
});

test('ranking: one entry per item, its best score plus a tenth of the others, at most three reasons best first', () => {
  const reason = (code: Reason['code'], item?: string): Reason => ({
    code,
    basis: code === 'popular' ? 'none' : 'observed',
    dataCategories: [],
    consents: [],
    ...(item === undefined ? {} : { item }),
  });
  const candidate = (itemId: string, score: number, r: Reason): Candidate => ({
    itemId,
    item: catalog.item(itemId) as Candidate['item'],
    score,
    reason: r,
  });
  const boughtCoat = reason('bought', 'coat');
  const ranked = rank([
    candidate('scarf', 0.5, reason('popular')),
    candidate('gloves', 0.4, boughtCoat),
    candidate('scarf', 0.9, boughtCoat),
    candidate('gloves', 0.6, reason('viewed', 'trousers')),
    // The same reason again: counted in the score, listed once, with its best score.
    candidate('scarf', 0.2, reason('bought', 'coat')),
    candidate('scarf', 0.3, reason('viewed', 'trousers')),
    candidate('scarf', 0.7, reason('similar_to_current', 'coat')),
    candidate('cat-food', 0.2, reason('popular')),
    candidate('coat-2', 0.2, reason('popular')),
    // A pinned item comes in with no score.
    candidate('trousers', 0, reason('featured')),
  ]);
  assert.deepEqual(
    ranked.map((r) => [r.itemId, Math.round(r.score * 1e9) / 1e9, r.reasons.map((x) => `${x.code}:${x.item ?? ''}`)]),
    [
      // 0.9 + 0.1 × (0.5 + 0.2 + 0.3 + 0.7); the fourth reason is dropped.
      ['scarf', 1.07, ['bought:coat', 'similar_to_current:coat', 'popular:']],
      ['gloves', 0.64, ['viewed:trousers', 'bought:coat']],
      // Equal scores in item order.
      ['cat-food', 0.2, ['popular:']],
      ['coat-2', 0.2, ['popular:']],
      ['trousers', 0, ['featured:']],
    ],
  );
  // The shared reason object is kept, never copied.
  assert.equal(ranked[0]?.reasons[0], boughtCoat);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Recommender, type RecommenderOptions } from './recommender.ts';
import type { InteractionEvent, InteractionKind } from './types.ts';

const ITEMS = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'];
const CATEGORIES: Record<string, string> = { i0: 'food/dairy', i1: 'food/dairy', i2: 'food/bakery', i3: 'home' };

const eventArb = fc.record({
  subjectId: fc.constantFrom('a', 'b', 'c', 'x'),
  itemId: fc.constantFrom(...ITEMS),
  kind: fc.constantFrom<InteractionKind>('view', 'cart', 'purchase'),
  at: fc.integer({ min: 0, max: 10 * 86_400_000 }),
  basket: fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
  context: fc.option(fc.constantFrom('home', 'search'), { nil: undefined }),
});

type RawEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(e: RawEvent): InteractionEvent {
  return {
    subjectId: e.subjectId,
    itemId: e.itemId,
    kind: e.kind,
    at: e.at,
    ...(e.basket === undefined ? {} : { basketId: `${e.subjectId}-${e.basket}` }),
    ...(e.context === undefined ? {} : { context: e.context }),
  };
}

function build(events: readonly InteractionEvent[], options: RecommenderOptions = {}): Recommender {
  const rec = new Recommender({ complements: { minSupport: 1 }, ...options });
  for (const [itemId, category] of Object.entries(CATEGORIES)) rec.setItemAttributes({ itemId, category });
  for (const e of events) rec.add(e);
  return rec;
}

/** Every public answer of the recommender, for comparison. */
function answers(rec: Recommender): unknown {
  const out: Record<string, unknown> = {};
  for (const item of ITEMS) {
    out[`complements ${item}`] = rec.complementsOf(item, 5);
    out[`similar ${item}`] = rec.similarTo(item, 5);
    out[`history ${item}`] = rec.recommendForHistory(
      [item, { itemId: ITEMS[(ITEMS.indexOf(item) + 3) % 9] as string, kind: 'view' }],
      5,
    );
  }
  for (const s of ['a', 'b', 'c']) {
    out[`subject ${s}`] = rec.recommendForSubject(s, 5);
    out[`basket ${s}`] = rec.nextBasketFor(s, 5);
  }
  out.popular = rec.popular(5, { now: 11 * 86_400_000 });
  out.popularHome = rec.popular(5, { context: 'home', now: 11 * 86_400_000 });
  out.popularDairy = rec.popular(5, { category: 'food/dairy', now: 11 * 86_400_000 });
  out.trending = rec.trending(5, { now: 11 * 86_400_000 });
  return out;
}

describe('Recommender erasure', () => {
  it('train with X then remove X gives exactly the state and answers of training without X (property)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 0, maxLength: 60 }), fc.boolean(), (raw, prepared) => {
        const events = raw.map(toEvent);
        const withX = build(events);
        // Prepared, the models keep their pair weights as array rows alone (PairCounts.compactAll).
        if (prepared) withX.prepare();
        const withoutX = build(events.filter((e) => e.subjectId !== 'x'));
        // Query before erasing too, so caches built with X must be invalidated.
        answers(withX);
        withX.removeSubject('x');
        assert.deepEqual(withX.snapshot(), withoutX.snapshot());
        assert.deepEqual(answers(withX), answers(withoutX));
      }),
      { numRuns: 150 },
    );
  });

  it('learning online between queries gives exactly the answers of training on everything at once (property)', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 0, maxLength: 60 }),
        fc.nat(60),
        fc.boolean(),
        fc.boolean(),
        (raw, cut, damp, prepared) => {
          const events = raw.map(toEvent);
          // With and without popularity damping of the personal model's candidates.
          const options: RecommenderOptions = damp ? { personalScoring: { beta: 0.4 } } : {};
          const online = build(events.slice(0, cut), options);
          // Prepared after the first events, the rest is learned into array rows alone (PairCounts.compactAll).
          if (prepared) online.prepare();
          // Queries between the events, so that the caches they build must follow each change.
          answers(online);
          for (const [n, e] of events.slice(cut).entries()) {
            online.add(e);
            if (n % 4 === 0) answers(online);
          }
          const batch = build(events, options);
          assert.deepEqual(answers(online), answers(batch));
          assert.deepEqual(online.snapshot(), batch.snapshot());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a shorter answer for a history is the start of a longer one, completions included (property)', () => {
    // Forty items in one to three categories: a history's completion from the attribute neighbours of its
    // last item reaches past the ones it may not use (the history's items, those already answered).
    // Without the attribute part of the blend, the completion is what adds those neighbours at all
    // (with it, the first hundred are scored already and the completion rarely adds one).
    const items = Array.from({ length: 40 }, (_, i) => `j${i}`);
    const event = fc.record({
      subjectId: fc.constantFrom('a', 'b', 'c'),
      itemId: fc.constantFrom(...items),
      kind: fc.constantFrom<InteractionKind>('view', 'purchase'),
      at: fc.nat(1000),
    });
    const history = fc.array(
      fc.record({
        itemId: fc.constantFrom(...items, 'unknown'),
        kind: fc.constantFrom<InteractionKind>('view', 'purchase'),
      }),
      { maxLength: 24 },
    );
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 30 }),
        history,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(12),
        fc.boolean(),
        (events, h, categories, k, more, attributeBlend) => {
          const rec = new Recommender(attributeBlend ? {} : { blend: { attributeWeight: 0 } });
          for (const [i, itemId] of items.entries()) rec.setItemAttributes({ itemId, category: `c/${i % categories}` });
          for (const e of events) rec.add(e);
          const long = rec.recommendForHistoryIndexed(h, k + more);
          assert.deepEqual(rec.recommendForHistoryIndexed(h, k), long.slice(0, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('removing an unknown subject changes nothing', () => {
    const rec = build([{ subjectId: 'a', itemId: 'i1', kind: 'purchase', at: 1 }]);
    const before = rec.snapshot();
    rec.removeSubject('nobody');
    assert.deepEqual(rec.snapshot(), before);
  });
});

describe('Recommender serving', () => {
  const rec = new Recommender({ complements: { minSupport: 1 } });
  rec.setItemAttributes({ itemId: 'tent', category: 'outdoor/tents', brand: 'acme' });
  rec.setItemAttributes({ itemId: 'tent-xl', category: 'outdoor/tents', brand: 'acme' });
  rec.setItemAttributes({ itemId: 'pegs', category: 'outdoor/accessories' });
  let t = 0;
  for (let s = 0; s < 20; s++) {
    rec.add({ subjectId: `s${s}`, itemId: 'tent', kind: 'purchase', at: t++, basketId: `o${s}` });
    rec.add({ subjectId: `s${s}`, itemId: 'pegs', kind: 'purchase', at: t++, basketId: `o${s}` });
    if (s % 2 === 0) rec.add({ subjectId: `s${s}`, itemId: 'lamp', kind: 'view', at: t++ });
  }
  for (let s = 0; s < 10; s++) {
    rec.add({ subjectId: `g${s}`, itemId: 'bread', kind: 'purchase', at: t++, basketId: `g${s}` });
    rec.add({ subjectId: `g${s}`, itemId: 'milk', kind: 'purchase', at: t++, basketId: `g${s}` });
  }

  it('answers a history with reasons and leaves out what the subject already had', () => {
    const recs = rec.recommendForHistory(['tent'], 3);
    assert.equal(recs[0]?.itemId, 'pegs');
    assert.deepEqual(recs[0]?.reason, { kind: 'after_you_interacted', anchor: 'tent' });
    assert.ok(!recs.some((r) => r.itemId === 'tent'));
    assert.ok(rec.recommendForHistory(['tent'], 3, { exclude: false }).length > 0);
    // Pegs scores from the tent's links: it is left out because the history holds it, unless asked not to.
    assert.ok(!rec.recommendForHistory(['tent', 'pegs'], 3).some((r) => r.itemId === 'pegs' || r.itemId === 'tent'));
    assert.ok(rec.recommendForHistory(['tent', 'pegs'], 3, { exclude: false }).some((r) => r.itemId === 'pegs'));
    assert.ok(!rec.recommendForHistory(['tent'], 3, { exclude: new Set(['pegs']) }).some((r) => r.itemId === 'pegs'));
  });

  it('answers a history with each item’s index too, when asked, and otherwise the same', () => {
    // A long history (the model's answers) and a short one (completed with attribute neighbours and popular items).
    for (const [history, k] of [
      [['tent', { itemId: 'lamp', kind: 'view' as const }], 3],
      [['tent-xl'], 4],
    ] as const) {
      const indexed = rec.recommendForHistoryIndexed(history, k);
      assert.deepEqual(
        indexed.map(({ index: _, ...answer }) => answer),
        rec.recommendForHistory(history, k),
      );
      assert.equal(indexed.length, k);
      for (const r of indexed) assert.equal(rec.items.idOf(r.index), r.itemId);
    }
  });

  it('completes a short list for an unknown history with attribute neighbours and popular items', () => {
    const recs = rec.recommendForHistory(['tent-xl'], 4);
    assert.equal(recs.length, 4);
    assert.deepEqual(recs[0]?.reason, { kind: 'similar_to', anchor: 'tent-xl', basis: 'attributes' });
    assert.equal(recs[0]?.itemId, 'tent');
    assert.equal(recs[3]?.reason.kind, 'popular');
  });

  it('gives complements, similar items, popular items with their reasons', () => {
    assert.deepEqual(rec.complementsOf('tent', 1)[0]?.reason, { kind: 'bought_with', anchor: 'tent' });
    assert.equal(rec.complementsOf('tent', 1)[0]?.itemId, 'pegs');
    // A new tent with no history gets category-level complements.
    const cold = rec.complementsOf('tent-xl', 1)[0];
    assert.equal(cold?.itemId, 'pegs');
    assert.equal(cold?.reason.kind, 'category_complement');
    assert.equal(rec.similarTo('tent', 1)[0]?.itemId, 'pegs');
    assert.deepEqual(rec.similarTo('tent-xl', 1)[0], {
      itemId: 'tent',
      score: rec.similarTo('tent-xl', 1)[0]?.score,
      reason: { kind: 'similar_to', anchor: 'tent-xl', basis: 'attributes' },
    });
    assert.deepEqual(
      rec.popular(2).map((r) => r.itemId),
      ['pegs', 'tent'],
    );
    assert.deepEqual(rec.popular(1, { category: 'outdoor/accessories' })[0]?.reason, {
      kind: 'popular',
      category: 'outdoor/accessories',
    });
  });
});

describe('versions of the answers', () => {
  it('every change that can change an answer raises the version; answers do not', () => {
    const rec = new Recommender();
    const seen = [rec.version, rec.complements.version];
    const changed = (what: string) => {
      const now = [rec.version, rec.complements.version];
      assert.ok((now[0] as number) > (seen[0] as number), `${what}: the recommender's version`);
      seen[0] = now[0] as number;
      return now[1] as number;
    };
    rec.setItemAttributes({ itemId: 'coat', category: 'clothing/coats' });
    rec.setItemAttributes({ itemId: 'scarf', category: 'clothing/scarves' });
    assert.ok(changed('attributes') > (seen[1] as number), "attributes: the complements' version");
    seen[1] = rec.complements.version;
    for (const subjectId of ['a', 'b'])
      for (const itemId of ['coat', 'scarf'])
        rec.add({ subjectId, itemId, kind: 'purchase', at: 1, basketId: subjectId });
    assert.ok(changed('purchases') > (seen[1] as number), "purchases: the complements' version");
    seen[1] = rec.complements.version;
    rec.add({ subjectId: 'a', itemId: 'scarf', kind: 'view', at: 2 });
    // A view changes similar items and the personal model, not complements (baskets are purchases).
    assert.equal(changed('a view'), seen[1]);
    const answers = [rec.version, rec.complements.version];
    rec.similarTo('coat', 5);
    rec.complementsOf('coat', 5);
    rec.recommendForHistory(['coat'], 5);
    assert.deepEqual([rec.version, rec.complements.version], answers, 'answering changes nothing');
    rec.removeSubject('b');
    assert.ok(changed('an erasure') > (seen[1] as number), "an erasure: the complements' version");
  });

  it('erasing a subject the models never saw changes no version', () => {
    const rec = new Recommender();
    rec.add({ subjectId: 'a', itemId: 'coat', kind: 'purchase', at: 1, basketId: 'a' });
    rec.add({ subjectId: 'v', itemId: 'coat', kind: 'view', at: 1 });
    const before = [rec.version, rec.complements.version];
    rec.removeSubject('stranger');
    assert.deepEqual([rec.version, rec.complements.version], before);
    // Only views: the complements never saw them, the other models did.
    rec.removeSubject('v');
    assert.ok(rec.version > (before[0] as number), "a viewer's erasure: the recommender's version");
    assert.equal(rec.complements.version, before[1]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCatalog } from '../../core/decision/memory-catalog.ts';
import type { CatalogItem } from '../../core/decision/types.ts';
import { Recommender } from '../../core/recommend/recommender.ts';
import { recordCalls } from '../../platform/testing-calls.ts';
import { PersonalAnswers, type PersonalHistory } from './personal-answers.ts';

const ITEMS = ['coat', 'scarf', 'gloves', 'hat', 'boots', 'socks', 'belt', 'tie'];

/** A small shop: every item in clothing, shoppers who bought a coat with two or three of the others. */
function shop() {
  const rec = new Recommender();
  const catalog = new MemoryCatalog(
    ITEMS.map((id) => ({ id, title: id, category: 'clothing', available: true, stock: null })),
    new Map(),
  );
  for (const id of ITEMS) rec.setItemAttributes({ itemId: id, category: 'clothing' });
  for (let s = 0; s < 12; s++) {
    const basket = ['coat', ITEMS[1 + (s % 4)] as string, ITEMS[2 + (s % 5)] as string];
    for (const itemId of basket) rec.add({ subjectId: `s${s}`, itemId, kind: 'purchase', at: s, basketId: `o${s}` });
  }
  const entries: (CatalogItem | undefined)[] = [];
  for (const item of catalog.items()) entries[rec.items.findIndex(item.id) as number] = item;
  return { rec, entries };
}

/** The answer as the decision service made it before answers were kept: straight from the model. */
function direct(rec: Recommender, history: PersonalHistory, k: number, entries: readonly (CatalogItem | undefined)[]) {
  return rec.recommendForHistoryIndexed(history, k).map((r) => {
    const anchor = 'anchor' in r.reason ? r.reason.anchor : undefined;
    const item = entries[r.index];
    return anchor === undefined
      ? { itemId: r.itemId, score: r.score, item }
      : { itemId: r.itemId, score: r.score, anchor, item };
  });
}

/** Counts the model's answers computed while `run` runs. */
function computed(run: () => void): number {
  const personal = recordCalls(Recommender.prototype, 'recommendForHistoryIndexed');
  try {
    run();
  } finally {
    personal.restore();
  }
  return personal.calls.length;
}

describe('PersonalAnswers', () => {
  const coat: PersonalHistory = [{ itemId: 'coat', kind: 'purchase' }];

  it('answers as the model does, with each item’s catalog entry, and keeps the answer for smaller slates', () => {
    const { rec, entries } = shop();
    const answers = new PersonalAnswers(rec);
    const expected = direct(rec, coat, 5, entries);
    assert.ok(expected.length === 5 && expected.every((s) => s.item?.id === s.itemId && s.anchor === 'coat'));
    assert.equal(
      computed(() => assert.deepEqual(answers.answer(coat, 5, entries), expected)),
      1,
    );
    // Kept: the same again, and any smaller slate is its start.
    const three = direct(rec, coat, 3, entries);
    assert.equal(
      computed(() => {
        assert.deepEqual(answers.answer(coat, 5, entries), expected);
        assert.deepEqual(answers.answer(coat, 3, entries), three);
      }),
      0,
    );
    // More than was kept is computed (and kept in its place).
    const six = direct(rec, coat, 6, entries);
    assert.equal(
      computed(() => assert.deepEqual(answers.answer(coat, 6, entries), six)),
      1,
    );
    assert.equal(answers.size, 1);
    // Another history is another answer; the order and the kind of each interaction count.
    const viewed: PersonalHistory = [{ itemId: 'coat', kind: 'view' }];
    const fromView = direct(rec, viewed, 5, entries);
    assert.notDeepEqual(fromView, expected);
    assert.equal(
      computed(() => assert.deepEqual(answers.answer(viewed, 5, entries), fromView)),
      1,
    );
    assert.equal(answers.size, 2);
  });

  it('a kept answer shorter than asked (the model had no more) serves larger slates too', () => {
    const { rec, entries } = shop();
    const answers = new PersonalAnswers(rec);
    const all = direct(rec, coat, 50, entries);
    assert.ok(all.length < 20, `the shop has ${ITEMS.length} items`);
    answers.warm(coat, 20);
    assert.equal(
      computed(() => assert.deepEqual(answers.answer(coat, 50, entries), all)),
      0,
    );
  });

  it('computes ahead with warm, and drops every kept answer when the models change', () => {
    const { rec, entries } = shop();
    const answers = new PersonalAnswers(rec);
    answers.warm(coat, 5);
    assert.equal(
      computed(() => answers.answer(coat, 5, entries)),
      0,
    );
    // A learned event changes what the model answers: the kept answer goes.
    for (let s = 0; s < 30; s++) {
      rec.add({ subjectId: `t${s}`, itemId: 'coat', kind: 'purchase', at: 100 + s, basketId: `p${s}` });
      rec.add({ subjectId: `t${s}`, itemId: 'tie', kind: 'purchase', at: 100 + s, basketId: `p${s}` });
    }
    assert.equal(answers.size, 0);
    const fresh = direct(rec, coat, 5, entries);
    assert.equal(fresh[0]?.itemId, 'tie');
    assert.equal(
      computed(() => assert.deepEqual(answers.answer(coat, 5, entries), fresh)),
      1,
    );
    // So does an erasure.
    rec.removeSubject('t0');
    assert.equal(answers.size, 0);
    // And clear drops them at once.
    answers.warm(coat, 5);
    answers.clear();
    assert.equal(answers.size, 0);
  });
});

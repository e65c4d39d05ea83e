import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Client, Consents } from './client.ts';
import { ConsentState } from './consent.ts';
import { LOCALES, MESSAGES, pickLocale } from './i18n.ts';
import { Tracker } from './tracker.ts';

const consents = (statuses: Record<string, Consents['purposes'][number]['status']>): Consents => ({
  subjectId: 's',
  currentPolicyVersion: 'v1',
  purposes: Object.entries(statuses).map(([purpose, status]) => ({ purpose, status })),
});

/** A client that records what would go over the wire. */
function recordingClient() {
  const sent: unknown[][] = [];
  const client = {
    endpoint: 'http://pertinent.test',
    request: async (_method: string, path: string, body?: unknown) => {
      if (path === '/v1/events') sent.push(body as unknown[]);
      return { received: 0, stored: 0, duplicates: 0 };
    },
  } as unknown as Client;
  return { client, sent };
}

describe('SDK: consent-gated tracking', () => {
  test('nothing is sent before the consents are known; undecided events wait, then go once granted', () => {
    const state = new ConsentState(false);
    const { client, sent } = recordingClient();
    const tracker = new Tracker(client, state);
    assert.equal(tracker.track({ type: 'view', itemId: 'a' }), 'held');
    state.set(consents({ personalization: 'unset' }));
    assert.equal(tracker.track({ type: 'view', itemId: 'b' }), 'held');
    tracker.flush();
    assert.deepEqual(sent, []);
    state.set(consents({ personalization: 'granted' }));
    tracker.flush();
    assert.equal(sent.length, 1);
    assert.deepEqual(
      (sent[0] as unknown as { itemId: string; purpose: string }[]).map((e) => [e.itemId, e.purpose]),
      [
        ['a', 'personalization'],
        ['b', 'personalization'],
      ],
    );
  });

  test('refusing drops what waited and everything after; withdrawing before the flush stops what was queued', () => {
    const state = new ConsentState(false);
    const { client, sent } = recordingClient();
    const tracker = new Tracker(client, state);
    tracker.track({ type: 'view', itemId: 'a' });
    state.set(consents({ personalization: 'denied', measurement: 'granted' }));
    assert.equal(tracker.held, 0);
    assert.equal(tracker.track({ type: 'cart', itemId: 'a' }), 'dropped');
    assert.equal(tracker.track({ type: 'impression', itemId: 'a' }), 'sent', 'impressions serve measurement');
    state.set(consents({ personalization: 'denied', measurement: 'withdrawn' }));
    tracker.flush();
    assert.deepEqual(sent, []);
  });

  test('with Global Privacy Control, retargeting is refused whatever the server says', () => {
    const state = new ConsentState(true);
    state.set(consents({ retargeting: 'granted', personalization: 'granted' }));
    assert.equal(state.granted('retargeting'), false);
    assert.equal(state.granted('personalization'), true);
  });

  test('a "no" to a granted purpose is recorded as a withdrawal, otherwise as a refusal', () => {
    const state = new ConsentState(false);
    state.set(consents({ personalization: 'granted', measurement: 'unset' }));
    assert.deepEqual(state.choice('personalization', false), { purpose: 'personalization', status: 'withdrawn' });
    assert.deepEqual(state.choice('measurement', false), { purpose: 'measurement', status: 'denied' });
    assert.deepEqual(state.choice('measurement', true), { purpose: 'measurement', status: 'granted' });
  });

  test('at most maxHeld events wait in memory, the oldest dropped first', () => {
    const state = new ConsentState(false);
    const { client } = recordingClient();
    const tracker = new Tracker(client, state, { maxHeld: 3 });
    for (let i = 0; i < 5; i++) tracker.track({ type: 'view', itemId: String(i) });
    assert.equal(tracker.held, 3);
  });
});

describe('SDK: languages', () => {
  test('the locale is the first language we speak, else English', () => {
    assert.equal(pickLocale(undefined, 'it-CH', 'fr'), 'it');
    assert.equal(pickLocale('de-DE', null), 'en');
  });
  test('every language has every text', () => {
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v).map((x) => `${k}.${x}`) : [k]));
    for (const l of LOCALES) assert.deepEqual(keys(MESSAGES[l]).sort(), keys(MESSAGES.en).sort(), l);
  });
});

test('every export of the SDK carries TSDoc with an example', () => {
  const missing: string[] = [];
  const dir = import.meta.dirname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const source = readFileSync(`${dir}/${file}`, 'utf8');
    const exports =
      /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export (?:async )?(?:function|class|interface|type|const) (\w+)/g;
    for (const m of source.matchAll(exports)) if (!m[1]?.includes('@example')) missing.push(`${file}: ${m[2]}`);
  }
  assert.deepEqual(missing, []);
});

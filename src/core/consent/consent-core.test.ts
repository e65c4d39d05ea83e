import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.ts';
import { GPC_PURPOSES, gpcSignalOn, purposesForGpc } from './gpc.ts';
import type { EntryDraft, LedgerEntry } from './ledger.ts';
import { ChainVerifier, entryHash, GENESIS_HASH, sealEntries } from './ledger.ts';
import type { LatestChoice } from './state.ts';
import { effectiveStatus, resolveConsents } from './state.ts';
import { decodeTcString, TcfDecodeError } from './tcf.ts';
import { encodeTestTcString } from './tcf-testing.ts';

const draft = (over: Partial<EntryDraft> = {}): EntryDraft => ({
  subjectId: 's1',
  purpose: 'personalization',
  status: 'granted',
  method: 'accepted',
  policyVersion: 'v1',
  noticeHash: 'ab'.repeat(32),
  jurisdiction: 'FR',
  source: 'banner',
  tcString: null,
  gppString: null,
  recordedAt: 1_700_000_000_000,
  ...over,
});

const verify = (
  tenantId: string,
  entries: readonly LedgerEntry[],
  head = sealEntries(tenantId, undefined, []).head,
) => {
  const v = new ChainVerifier(tenantId);
  for (const e of entries) if (!v.add(e)) break;
  return v.finish(head);
};

describe('canonical JSON', () => {
  test('sorts keys, drops undefined, has no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined }), '{"a":[true,null,"x"],"b":1}');
    assert.equal(canonicalJson({ z: { y: 1, x: 'é' } }), '{"z":{"x":"é","y":1}}');
  });
  test('refuses what has no single text', () => {
    assert.throws(() => canonicalJson(Number.NaN), TypeError);
    assert.throws(() => canonicalJson(new Date(0)), TypeError);
    assert.throws(() => canonicalJson(() => 1), TypeError);
  });
  test('the same value in any key order gives the same text', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null))),
        (obj) => {
          const reversed = Object.fromEntries(Object.entries(obj).reverse());
          assert.equal(canonicalJson(obj), canonicalJson(reversed));
          assert.deepEqual(JSON.parse(canonicalJson(obj)), JSON.parse(JSON.stringify(obj)));
        },
      ),
    );
  });
});

describe('ledger chain', () => {
  const { entries, head } = sealEntries('shop', undefined, [
    draft(),
    draft({ purpose: 'measurement' }),
    draft({ status: 'withdrawn', method: 'withdrawn' }),
  ]);

  test('entries are numbered from 1 and linked from the genesis hash', () => {
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(entries[0]?.prevHash, GENESIS_HASH);
    assert.equal(entries[1]?.prevHash, entries[0]?.hash);
    assert.equal(head.lastSeq, 3);
    assert.equal(head.lastHash, entries[2]?.hash);
    assert.match(head.lastHash, /^[0-9a-f]{64}$/);
  });

  test('sealing continues after an existing head', () => {
    const more = sealEntries('shop', head, [draft({ subjectId: 's2' })]);
    assert.equal(more.entries[0]?.seq, 4);
    assert.equal(more.entries[0]?.prevHash, head.lastHash);
    assert.deepEqual(verify('shop', [...entries, ...more.entries], more.head), {
      ok: true,
      count: 4,
      headSeq: 4,
      headHash: more.head.lastHash,
    });
  });

  test('the hash covers the tenant and the sequence number', () => {
    const e = entries[0] as LedgerEntry;
    assert.notEqual(entryHash(GENESIS_HASH, { ...e, tenantId: 'other' }), e.hash);
    assert.notEqual(entryHash(GENESIS_HASH, { ...e, seq: 2 }), e.hash);
  });

  test('an intact chain verifies; an empty one too', () => {
    assert.deepEqual(verify('shop', entries, head), { ok: true, count: 3, headSeq: 3, headHash: head.lastHash });
    assert.deepEqual(verify('shop', [], undefined), { ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  test('any altered field is found, at its seq', () => {
    for (const field of [
      'subjectId',
      'purpose',
      'status',
      'method',
      'policyVersion',
      'source',
      'recordedAt',
    ] as const) {
      const altered = entries.map((e) =>
        e.seq === 2 ? { ...e, [field]: field === 'recordedAt' ? e.recordedAt + 1 : `${String(e[field])}x` } : e,
      );
      const report = verify('shop', altered, head);
      assert.equal(report.ok, false, field);
      assert.equal(!report.ok && report.seq, 2, field);
      assert.match(!report.ok ? report.problem : '', /entry 2 was altered/);
    }
  });

  test('a recomputed hash does not hide an alteration: the next link breaks', () => {
    const e2 = entries[1] as LedgerEntry;
    const forged = { ...e2, status: 'denied' as const };
    const rehashed = { ...forged, hash: entryHash(forged.prevHash, forged) };
    const report = verify('shop', [entries[0] as LedgerEntry, rehashed, entries[2] as LedgerEntry], head);
    assert.equal(!report.ok && report.seq, 3);
    assert.match(!report.ok ? report.problem : '', /entry 3 does not link to entry 2/);
  });

  test('property: any one altered or deleted entry of any chain is named by its seq', () => {
    const draftArb = fc.record({
      subjectId: fc.stringMatching(/^[a-z0-9]{1,8}$/),
      purpose: fc.constantFrom('measurement', 'personalization', 'retargeting', 'sensitive:health' as const),
      status: fc.constantFrom('granted', 'denied', 'withdrawn' as const),
      source: fc.string({ maxLength: 10 }),
      recordedAt: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    fc.assert(
      fc.property(
        fc.array(draftArb, { minLength: 1, maxLength: 15 }),
        fc.nat(),
        fc.constantFrom('alter', 'delete'),
        (parts, pick, how) => {
          const sealed = sealEntries(
            'shop',
            undefined,
            parts.map((p) => draft(p)),
          );
          assert.equal(verify('shop', sealed.entries, sealed.head).ok, true);
          const index = pick % sealed.entries.length;
          const seq = index + 1;
          const broken =
            how === 'delete'
              ? sealed.entries.filter((_, i) => i !== index)
              : sealed.entries.map((e, i) => (i === index ? { ...e, source: `${e.source}!` } : e));
          const report = verify('shop', broken, sealed.head);
          assert.equal(report.ok, false);
          assert.equal(!report.ok && report.seq, seq);
        },
      ),
    );
  });

  test('a missing middle entry, a missing last entry and a missing head are named', () => {
    const middle = verify('shop', [entries[0] as LedgerEntry, entries[2] as LedgerEntry], head);
    assert.equal(!middle.ok && middle.seq, 2);
    assert.match(!middle.ok ? middle.problem : '', /entry 2 is missing/);
    const last = verify('shop', entries.slice(0, 2), head);
    assert.equal(!last.ok && last.seq, 3);
    assert.match(!last.ok ? last.problem : '', /entry 3 is missing/);
    const noHead = verify('shop', entries, undefined);
    assert.equal(noHead.ok, false);
    const beyond = verify('shop', entries, { ...head, lastSeq: 2, lastHash: entries[1]?.hash as string });
    assert.equal(!beyond.ok && beyond.seq, 3);
  });
});

const choice = (over: Partial<LatestChoice>): LatestChoice => ({
  purpose: 'retargeting',
  status: 'granted',
  method: 'accepted',
  policyVersion: 'v1',
  seq: 1,
  recordedAt: 0,
  ...over,
});

describe('effective state', () => {
  test('the latest choice counts only under the current policy', () => {
    assert.equal(effectiveStatus(undefined, 'v1'), 'unset');
    assert.equal(effectiveStatus(choice({}), 'v1'), 'granted');
    assert.equal(effectiveStatus(choice({ status: 'denied' }), 'v1'), 'denied');
    assert.equal(effectiveStatus(choice({}), 'v2'), 'needs_renewal');
    assert.equal(effectiveStatus(choice({ status: 'denied' }), 'v2'), 'needs_renewal');
    assert.equal(effectiveStatus(choice({ status: 'withdrawn' }), 'v2'), 'needs_renewal');
  });
  test('every purpose is reported', () => {
    const all = resolveConsents([choice({ purpose: 'measurement' })], 'v1');
    assert.ok(all.length >= 14);
    assert.equal(all.find((c) => c.purpose === 'measurement')?.status, 'granted');
    assert.equal(all.find((c) => c.purpose === 'sensitive:health')?.status, 'unset');
  });
});

describe('GPC', () => {
  test('only the exact value 1 turns the signal on', () => {
    assert.equal(gpcSignalOn('1'), true);
    assert.equal(gpcSignalOn(' 1 '), true);
    for (const v of [undefined, '0', 'true', '', 'yes']) assert.equal(gpcSignalOn(v), false);
  });
  test('an explicit choice under the current policy wins; GPC is not repeated', () => {
    assert.deepEqual(purposesForGpc([], 'v1'), [...GPC_PURPOSES]);
    assert.deepEqual(purposesForGpc([choice({ method: 'accepted' })], 'v1'), ['sale_sharing']);
    assert.deepEqual(purposesForGpc([choice({ method: 'tcf' })], 'v1'), ['sale_sharing']);
    assert.deepEqual(purposesForGpc([choice({ method: 'gpc', status: 'denied' })], 'v1'), ['sale_sharing']);
    // A choice made under an older policy, or recorded by the tenant's systems, does not beat the person's signal.
    assert.deepEqual(purposesForGpc([choice({ method: 'accepted' })], 'v2'), [...GPC_PURPOSES]);
    assert.deepEqual(purposesForGpc([choice({ method: 'api' })], 'v1'), [...GPC_PURPOSES]);
  });
});

describe('TCF', () => {
  const statusOf = (tc: string) => Object.fromEntries(decodeTcString(tc).choices.map((c) => [c.purpose, c.status]));

  test('a v2.3 string maps purposes 3+4, 5+6, 7+8+9 and special feature 1', () => {
    const tc = encodeTestTcString({ purposes: [1, 3, 4, 7, 8, 9], specialFeatures: [1] });
    const decoded = decodeTcString(tc);
    assert.equal(decoded.policyVersion, 5);
    assert.equal(decoded.cmpId, 300);
    assert.deepEqual(statusOf(tc), {
      retargeting: 'granted',
      personalization: 'denied',
      measurement: 'granted',
      location_offers: 'granted',
    });
  });

  test('every purpose a mapping needs must have consent', () => {
    assert.deepEqual(statusOf(encodeTestTcString({ purposes: [3, 5, 6, 7, 8] })), {
      retargeting: 'denied',
      personalization: 'granted',
      measurement: 'denied',
      location_offers: 'denied',
    });
  });

  test('a v2.2 string is accepted; older policy versions and malformed strings are refused', () => {
    assert.equal(decodeTcString(encodeTestTcString({ tcfPolicyVersion: 4 })).policyVersion, 4);
    assert.throws(() => decodeTcString(encodeTestTcString({ tcfPolicyVersion: 2 })), /policy version is 2/);
    for (const bad of ['', 'abc', 'not a tc string!!', 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA', 'CQuIxQ']) {
      assert.throws(() => decodeTcString(bad), TcfDecodeError, bad);
    }
  });
});

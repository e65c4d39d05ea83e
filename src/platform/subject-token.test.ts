import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signSubjectToken, verifySubjectToken } from './subject-token.ts';

const secret = 'sts_test';

test('a signed subject token verifies for its tenant and names its subject', () => {
  const token = signSubjectToken({ sub: 'customer-42', tid: 'shop' }, secret, { ttlSeconds: 60 });
  assert.equal(verifySubjectToken(token, secret, 'shop').sub, 'customer-42');
});

test('expired, forged, foreign and malformed tokens are refused with a reason', () => {
  const now = Date.now();
  const token = signSubjectToken({ sub: 'c1', tid: 'shop' }, secret, { ttlSeconds: 60, now });
  assert.throws(() => verifySubjectToken(token, secret, 'shop', now + 61_000), /expired/);
  assert.throws(() => verifySubjectToken(token, 'other-secret', 'shop', now), /signature/);
  assert.throws(() => verifySubjectToken(token, secret, 'other-shop', now), /another tenant/);
  assert.throws(() => verifySubjectToken('abc', secret, 'shop', now), /three/);
  const [h, , s] = token.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'c2', tid: 'shop', exp: 9e9 })).toString('base64url')}.${s}`;
  assert.throws(() => verifySubjectToken(tampered, secret, 'shop', now), /signature/);
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${token.split('.')[1]}.`;
  assert.throws(() => verifySubjectToken(none, secret, 'shop', now), /HS256/);
});

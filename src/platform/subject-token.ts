import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * Subject tokens: compact JWTs (HS256) that a tenant's backend signs with the
 * tenant's subject-token secret to say "this browser speaks for subject S
 * until time T". A publishable key can act only for the subject in such a token.
 *
 * @example
 * const token = signSubjectToken({ sub: 'customer-42', tid: 'shop' }, secret, { ttlSeconds: 3600 });
 * verifySubjectToken(token, secret, 'shop').sub; // 'customer-42'
 */
export interface SubjectClaims {
  /** The subject (customer) id in the tenant's own system. */
  readonly sub: string;
  /** The tenant the token is for. */
  readonly tid: string;
  readonly iat: number;
  readonly exp: number;
}

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
export const SUBJECT_ID_PATTERN = '^[A-Za-z0-9._:@-]{1,128}$';
const SUBJECT_RE = new RegExp(SUBJECT_ID_PATTERN);

export function signSubjectToken(
  claims: { sub: string; tid: string },
  secret: string,
  options: { ttlSeconds?: number; now?: number } = {},
): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const payload = b64url(
    JSON.stringify({ sub: claims.sub, tid: claims.tid, iat, exp: iat + (options.ttlSeconds ?? 3600) }),
  );
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

const invalid = (why: string) =>
  new AppError('invalid_subject_token', 401, `The subject token is not valid: ${why}.`, {
    hint: "Sign a fresh token on your backend with the tenant's subject-token secret (HS256, claims sub, tid, exp) and send it in the X-Subject-Token header.",
  });

export function verifySubjectToken(token: string, secret: string, tenantId: string, now = Date.now()): SubjectClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalid('it is not a JWT (three dot-separated parts)');
  const [header, payload, signature] = parts as [string, string, string];
  let head: { alg?: unknown };
  try {
    head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw invalid('its header is not base64url JSON');
  }
  if (head.alg !== 'HS256') throw invalid('only the HS256 algorithm is accepted');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw invalid('its signature does not match');
  let claims: Partial<SubjectClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid('its payload is not base64url JSON');
  }
  if (typeof claims.sub !== 'string' || !SUBJECT_RE.test(claims.sub)) throw invalid('claim "sub" must be a subject id');
  if (claims.tid !== tenantId) throw invalid('it was issued for another tenant');
  if (typeof claims.exp !== 'number') throw invalid('claim "exp" is missing');
  if (claims.exp * 1000 <= now) throw invalid('it has expired');
  return { sub: claims.sub, tid: claims.tid, iat: Number(claims.iat ?? 0), exp: claims.exp };
}

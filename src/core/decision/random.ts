/**
 * Small deterministic helpers: a stable 32-bit hash and a seeded generator, so
 * that a decision (exploration, control group) is reproducible from its inputs.
 */

/**
 * FNV-1a, 32 bits, with MurmurHash3's finalizer.
 *
 * @example
 * hash32('abc') === hash32('abc'); // true
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // MurmurHash3's finalizer spreads FNV's weak high bits (ids differing in one character).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A seeded generator of numbers in [0, 1) (mulberry32).
 *
 * @example
 * const next = seededRandom('decision-1'); next(); // same sequence for the same seed
 */
export function seededRandom(seed: string): () => number {
  let a = hash32(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whether a subject is in the control group of a tenant: a stable share of
 * subjects (the same subject is always in or always out for a given share and
 * salt) who get the non-personalized version, to measure the lift.
 *
 * @example
 * inControlGroup('shop', 'customer-1', 0);   // false
 * inControlGroup('shop', 'customer-1', 1);   // true
 */
export function inControlGroup(tenantId: string, subjectId: string, share: number, salt = 'control'): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return hash32(`${salt}\u0000${tenantId}\u0000${subjectId}`) / 4294967296 < share;
}

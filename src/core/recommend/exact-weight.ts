/**
 * Fixed-point weights that make online updates exactly reversible.
 *
 * Floating-point addition is not associative, so `a + b - b` may differ from
 * `a`; erasing a subject would then leave a trace in the model. Every weight
 * the models accumulate is therefore rounded to a multiple of 2^-20 and kept
 * as an integer count of those units: integer sums are exact up to 2^53, so
 * subtracting a subject's contribution restores the model bit for bit.
 *
 * @module
 */

/**
 * Units per 1.0 of weight.
 *
 * @example
 * toUnits(1) === WEIGHT_UNIT; // true
 */
export const WEIGHT_UNIT = 1 << 20;

/**
 * Converts a real weight to integer fixed-point units.
 *
 * @example
 * toUnits(0.5); // 524288
 */
export function toUnits(weight: number): number {
  return Math.round(weight * WEIGHT_UNIT);
}

/**
 * Converts integer fixed-point units back to a real weight.
 *
 * @example
 * fromUnits(524288); // 0.5
 */
export function fromUnits(units: number): number {
  return units / WEIGHT_UNIT;
}

/**
 * Adds `delta` to the value at `key`, deleting the entry when it returns to
 * zero so that a model after add-then-remove has exactly the same entries.
 *
 * @example
 * const m = new Map<number, number>();
 * addTo(m, 3, 5); addTo(m, 3, -5); m.size; // 0
 */
export function addTo<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

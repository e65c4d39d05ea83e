/**
 * Records the calls of one method (of an object or a prototype) until
 * `restore`, still calling it: for tests that check something was, or was
 * not, computed again.
 *
 * @example
 * const similar = recordCalls(Recommender.prototype, 'similarTo');
 * try { … } finally { similar.restore(); }
 * similar.calls; // [['coat', 30], …]
 */
export function recordCalls<T extends object, K extends keyof T>(
  target: T,
  method: K,
): { readonly calls: unknown[][]; restore(): void } {
  const original = target[method] as (...args: unknown[]) => unknown;
  const calls: unknown[][] = [];
  target[method] = function (this: unknown, ...args: unknown[]) {
    calls.push(args);
    return original.apply(this, args);
  } as T[K];
  return {
    calls,
    restore: () => {
      target[method] = original as T[K];
    },
  };
}

import type { SensitiveClass } from '../sensitive.ts';
import { categoryAncestors, nearestSensitiveClass } from '../taxonomy.ts';
import type { CatalogItem, CatalogView } from './types.ts';

/**
 * A {@link CatalogView} over items and category tags held in memory: the
 * sensitive class of each item is resolved once, from the nearest tagged
 * ancestor of its category.
 *
 * @example
 * const catalog = new MemoryCatalog(
 *   [{ id: 'test-1', title: 'Pregnancy test', category: 'health/pregnancy-tests', available: true, stock: null }],
 *   new Map([['health', 'health'], ['health/pregnancy-tests', 'pregnancy_baby']]),
 * );
 * catalog.item('test-1')?.sensitiveClass; // 'pregnancy_baby'
 */
export class MemoryCatalog implements CatalogView {
  readonly #items = new Map<string, CatalogItem>();
  readonly #tags: ReadonlyMap<string, SensitiveClass>;
  readonly #names: ReadonlyMap<string, string>;
  readonly #categories = new Set<string>();

  constructor(
    items: Iterable<Omit<CatalogItem, 'sensitiveClass'>>,
    tags: ReadonlyMap<string, SensitiveClass>,
    names: ReadonlyMap<string, string> = new Map(),
  ) {
    this.#tags = tags;
    this.#names = names;
    for (const path of names.keys()) this.#categories.add(path);
    for (const item of items) this.upsert(item);
  }

  /** Adds or replaces an item. */
  upsert(item: Omit<CatalogItem, 'sensitiveClass'>): void {
    this.#items.set(
      item.id,
      Object.assign({}, item, { sensitiveClass: nearestSensitiveClass(item.category, this.#tags) }),
    );
    for (const p of categoryAncestors(item.category)) this.#categories.add(p);
  }

  get size(): number {
    return this.#items.size;
  }

  items(): IterableIterator<CatalogItem> {
    return this.#items.values();
  }

  item(id: string): CatalogItem | undefined {
    return this.#items.get(id);
  }

  classOfCategory(path: string): SensitiveClass | null {
    return nearestSensitiveClass(path, this.#tags);
  }

  hasCategory(path: string): boolean {
    return this.#categories.has(path);
  }

  categoryName(path: string): string {
    return this.#names.get(path) ?? path.slice(path.lastIndexOf('/') + 1).replaceAll('-', ' ');
  }
}

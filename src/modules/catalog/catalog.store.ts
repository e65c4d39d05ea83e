import type { SensitiveClass } from '../../core/sensitive.ts';

/** Persistence of a tenant's items and category taxonomy. Stores only persist; rules live in the service. */

/** An attribute value: text, a number, a yes/no, or a list of texts. */
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

export interface ItemRecord {
  readonly id: string;
  readonly title: string;
  /** Normalized category path, e.g. `clothing/outerwear/coats`. */
  readonly categoryPath: string;
  readonly attributes: Attributes;
  readonly price: number | null;
  /** ISO 4217 code; set exactly when `price` is. */
  readonly currency: string | null;
  readonly available: boolean;
  /** Epoch milliseconds. */
  readonly updatedAt: number;
}

export interface CategoryRecord {
  readonly path: string;
  readonly name: string;
  readonly sensitiveClass: SensitiveClass | null;
  readonly updatedAt: number;
}

export interface ItemPage {
  readonly items: ItemRecord[];
  /** True when items after the last one returned exist. */
  readonly more: boolean;
}

export interface CatalogStore {
  findItem(tenantId: string, id: string): Promise<ItemRecord | undefined>;
  /**
   * The tenant's catalog version: raised by every change to its items or
   * categories (database triggers, migration 0012), 0 before the first.
   */
  catalogVersion(tenantId: string): Promise<number>;
  /** The items of `ids` that exist, in no particular order. */
  findItems(tenantId: string, ids: readonly string[]): Promise<ItemRecord[]>;
  /** The category path of each of `ids` that exists (no other column is read). */
  findCategoryPaths(tenantId: string, ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Items in id order, after `afterId` when given; with `categoryPath`, only the
   * items of that category and of its descendants.
   */
  listItems(
    tenantId: string,
    options: { categoryPath?: string | undefined; afterId?: string | undefined; limit: number },
  ): Promise<ItemPage>;
  /**
   * Inserts or replaces items, all in one transaction (all or nothing); ids
   * must be distinct. Returns the ids that did not exist before.
   */
  upsertItems(tenantId: string, items: readonly ItemRecord[]): Promise<string[]>;
  /**
   * Replaces an existing item only if it is still as it was read (its
   * `updatedAt` is `expectedUpdatedAt`); returns false otherwise.
   */
  replaceItemIf(tenantId: string, item: ItemRecord, expectedUpdatedAt: number): Promise<boolean>;
  /** Deletes an item; returns false when there was none. */
  deleteItem(tenantId: string, id: string): Promise<boolean>;
  /** The distinct ids of `ids` that are not items of the tenant, in the order given. */
  findMissingItems(tenantId: string, ids: readonly string[]): Promise<string[]>;

  findCategory(tenantId: string, path: string): Promise<CategoryRecord | undefined>;
  /** Every category of the tenant, in path order. */
  listCategories(tenantId: string): Promise<CategoryRecord[]>;
  /** The categories that carry a sensitive class. */
  listTaggedCategories(tenantId: string): Promise<{ path: string; sensitiveClass: SensitiveClass }[]>;
  /** Inserts or replaces a category; returns true when it did not exist before. */
  upsertCategory(tenantId: string, category: CategoryRecord): Promise<boolean>;
  /** Deletes a category (its items keep their path); returns false when there was none. */
  deleteCategory(tenantId: string, path: string): Promise<boolean>;

  /** When the default taxonomy was applied to the tenant, or undefined if never. */
  findDefaultsAppliedAt(tenantId: string): Promise<number | undefined>;
  /**
   * In one transaction: inserts the categories whose path the tenant does not
   * have yet (existing ones are left as they are) and records the time.
   * Returns the paths inserted.
   */
  applyDefaultCategories(tenantId: string, categories: readonly CategoryRecord[], at: number): Promise<string[]>;
}

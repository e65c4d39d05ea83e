import type { SensitiveClass } from '../../core/sensitive.ts';
import { isSensitiveClass } from '../../core/sensitive.ts';
import {
  categoryPathProblem,
  DEFAULT_SENSITIVE_TAXONOMY,
  nearestSensitiveClass,
  normalizeCategoryPath,
} from '../../core/taxonomy.ts';
import { AppError, badRequest, notFound, unprocessable } from '../../platform/errors.ts';
import type { CatalogStore, CategoryRecord, ItemRecord } from './catalog.store.ts';
import type { FieldError, ItemFields } from './item-input.ts';
import { applyItemPatch, itemIdProblem, parseItemInput } from './item-input.ts';

/** An item as the service returns it: stored fields plus the sensitive class it inherits. */
export interface Item extends ItemRecord {
  /** The class of the nearest tagged ancestor of the item's category, or null. */
  readonly sensitiveClass: SensitiveClass | null;
}

/** A category as the service returns it, with the class its items get. */
export interface Category extends CategoryRecord {
  /** Its own tag or, when untagged, that of its nearest tagged ancestor. */
  readonly effectiveSensitiveClass: SensitiveClass | null;
}

/** Largest number of items in one bulk request (and in one import batch). */
export const MAX_BULK_ITEMS = 1000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** The outcome of one record of a partial import: imported, or rejected with the reasons. */
export type ImportResult = { ok: true; created: boolean } | { ok: false; errors: FieldError[] };

const describe = (errors: readonly FieldError[]) => errors.map((e) => `${e.path} ${e.message}`).join('; ');

const invalidItem = (errors: FieldError[]) =>
  badRequest('invalid_item', `The item is not valid: ${describe(errors)}.`, {
    hint: 'Correct the fields listed in details.errors; the API reference at /docs describes an item.',
    details: { errors },
  });

const itemNotFound = (id: string) =>
  notFound('item_not_found', `The catalog has no item "${id}".`, 'Create it with PUT /v1/items/{itemId} first.');

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor === '' || encodeCursor(id) !== cursor || itemIdProblem(id)) {
    throw badRequest('invalid_cursor', 'The cursor is not one this server gave.', {
      hint: 'Pass the nextCursor of the previous page unchanged, or omit cursor to start from the first page.',
    });
  }
  return id;
}

function checkCategoryPath(path: string): string {
  const problem = categoryPathProblem(path);
  if (problem) {
    throw badRequest('invalid_category_path', `The category path ${JSON.stringify(path)} ${problem}.`, {
      hint: 'A path is segments separated by "/", from the root down, e.g. "clothing/outerwear/coats".',
    });
  }
  return normalizeCategoryPath(path);
}

/**
 * The catalog of a tenant: items, the category taxonomy with its sensitivity
 * tags, and fast lookups of an item's sensitive class for the decision pipeline.
 *
 * The default sensitive taxonomy (src/core/taxonomy.ts) is applied to a tenant
 * on its first catalog write — item or category — so that no tenant runs with
 * an untagged catalog by omission; POST /v1/taxonomy/defaults applies it again
 * (adding only the paths the tenant does not have).
 *
 * Tagged categories are cached per tenant; a write on this node clears the
 * tenant's entry at once, and other nodes see it within `cacheSeconds`.
 */
export class CatalogService {
  readonly #store: CatalogStore;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #tags = new Map<string, { tags: Map<string, SensitiveClass>; until: number }>();
  readonly #seeded = new Set<string>();

  constructor(store: CatalogStore, options: { now?: () => number; cacheSeconds?: number } = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = (options.cacheSeconds ?? 5) * 1000;
  }

  // ---- items -------------------------------------------------------------

  async findItem(tenantId: string, itemId: string): Promise<Item | undefined> {
    const record = await this.#store.findItem(tenantId, itemId);
    return record && this.#withClass(record, await this.#tagsOf(tenantId));
  }

  async getItem(tenantId: string, itemId: string): Promise<Item> {
    const item = await this.findItem(tenantId, itemId);
    if (!item) throw itemNotFound(itemId);
    return item;
  }

  /** The items of `ids` that exist, with their classes, in no particular order (one query). */
  async findItems(tenantId: string, itemIds: readonly string[]): Promise<Item[]> {
    const [records, tags] = await Promise.all([
      this.#store.findItems(tenantId, [...new Set(itemIds)]),
      this.#tagsOf(tenantId),
    ]);
    return records.map((r) => this.#withClass(r, tags));
  }

  /** Creates or replaces an item (PUT). `input` is checked here; `created` says which happened. */
  async putItem(tenantId: string, itemId: string, input: unknown): Promise<{ item: Item; created: boolean }> {
    const idProblem = itemIdProblem(itemId);
    if (idProblem) throw invalidItem([{ path: 'itemId', message: idProblem }]);
    const parsed = parseItemInput(input, { urlId: itemId });
    if (!parsed.ok) throw invalidItem(parsed.errors);
    const [item] = await this.#write(tenantId, [parsed.value]);
    return { item: item?.item as Item, created: item?.created === true };
  }

  /**
   * Changes some fields of an item (PATCH, merge semantics; see applyItemPatch).
   * Read, merge and write are optimistic: when another write lands in between,
   * the patch is applied again to the newer item, so no concurrent change is lost.
   */
  async patchItem(tenantId: string, itemId: string, patch: unknown): Promise<Item> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.#store.findItem(tenantId, itemId);
      if (!current) throw itemNotFound(itemId);
      const parsed = applyItemPatch(current, patch);
      if (!parsed.ok) throw invalidItem(parsed.errors);
      // A distinct time, so that the version check below tells two writes apart.
      const record: ItemRecord = { ...parsed.value, updatedAt: Math.max(this.#now(), current.updatedAt + 1) };
      if (await this.#store.replaceItemIf(tenantId, record, current.updatedAt)) {
        return this.#withClass(record, await this.#tagsOf(tenantId));
      }
      if (attempt >= 9) {
        throw new AppError('item_busy', 409, `Item "${itemId}" is being changed by other requests right now.`, {
          hint: 'Retry the PATCH in a moment.',
        });
      }
    }
  }

  async deleteItem(tenantId: string, itemId: string): Promise<void> {
    if (!(await this.#store.deleteItem(tenantId, itemId))) throw itemNotFound(itemId);
  }

  /**
   * The tenant's catalog version, raised by every change to its items or
   * categories, wherever it was made: equal versions, same catalog.
   */
  catalogVersion(tenantId: string): Promise<number> {
    return this.#store.catalogVersion(tenantId);
  }

  /** A page of items in id order, optionally only those under a category path. */
  async listItems(
    tenantId: string,
    options: { category?: string | undefined; cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ items: Item[]; nextCursor: string | null }> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw badRequest('invalid_limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, {
        hint: `Omit limit for pages of ${DEFAULT_PAGE_SIZE}.`,
      });
    }
    const categoryPath = options.category === undefined ? undefined : checkCategoryPath(options.category);
    const afterId = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const page = await this.#store.listItems(tenantId, { categoryPath, afterId, limit });
    const tags = await this.#tagsOf(tenantId);
    const last = page.items.at(-1);
    return {
      items: page.items.map((r) => this.#withClass(r, tags)),
      nextCursor: page.more && last ? encodeCursor(last.id) : null,
    };
  }

  /**
   * Creates or replaces up to MAX_BULK_ITEMS items in one transaction, all or
   * nothing: when any item is invalid (or an id repeats), nothing is written
   * and the 422 `invalid_items` error lists every rejected item.
   */
  async bulkUpsert(tenantId: string, inputs: readonly unknown[]): Promise<{ created: number; updated: number }> {
    this.#checkBatchSize(inputs.length);
    const items: ItemFields[] = [];
    const rejected: { index: number; id: string | null; errors: FieldError[] }[] = [];
    const seen = new Map<string, number>();
    inputs.forEach((input, index) => {
      const parsed = parseItemInput(input, { at: `items.${index}.` });
      const rawId = (input as { id?: unknown } | null)?.id;
      const id = typeof rawId === 'string' ? rawId : null;
      if (!parsed.ok) {
        rejected.push({ index, id, errors: parsed.errors });
        return;
      }
      const first = seen.get(parsed.value.id);
      if (first !== undefined) {
        rejected.push({
          index,
          id,
          errors: [{ path: `items.${index}.id`, message: `repeats the id of items.${first}; send each item once` }],
        });
        return;
      }
      seen.set(parsed.value.id, index);
      items.push(parsed.value);
    });
    if (rejected.length > 0) {
      throw unprocessable(
        'invalid_items',
        `${rejected.length} of ${inputs.length} items are not valid; nothing was written. First: ${describe(rejected[0]?.errors ?? [])}.`,
        {
          hint: 'Correct the items listed in details.rejected (index in the request, id, errors) and send the whole request again.',
          details: { rejected },
        },
      );
    }
    const written = await this.#write(tenantId, items);
    const created = written.filter((w) => w.created).length;
    return { created, updated: written.length - created };
  }

  /**
   * Imports records one by one, as `pertinent import` does: valid records are
   * written (in one transaction), invalid ones are reported and skipped. When
   * an id repeats, the later record wins. Results are in the order given.
   */
  async importItems(tenantId: string, inputs: readonly unknown[]): Promise<ImportResult[]> {
    this.#checkBatchSize(inputs.length);
    const results: ImportResult[] = [];
    const latest = new Map<string, ItemFields>();
    for (const input of inputs) {
      const parsed = parseItemInput(input);
      if (!parsed.ok) results.push({ ok: false, errors: parsed.errors });
      else {
        latest.delete(parsed.value.id);
        latest.set(parsed.value.id, parsed.value);
        results.push({ ok: true, created: false });
      }
    }
    const written = await this.#write(tenantId, [...latest.values()]);
    const created = new Set(written.filter((w) => w.created).map((w) => w.item.id));
    let i = 0;
    for (const input of inputs) {
      const r = results[i];
      if (r?.ok) {
        const id = (input as { id: string }).id;
        results[i] = { ok: true, created: created.has(id) };
        created.delete(id); // a repeated id counts as created once
      }
      i++;
    }
    return results;
  }

  /**
   * The distinct ids among `ids` that are not items of the tenant (one query),
   * in the order given. For the event ingest, which refuses events about
   * unknown items.
   */
  findMissingItems(tenantId: string, ids: readonly string[]): Promise<string[]> {
    return this.#store.findMissingItems(tenantId, ids);
  }

  // ---- sensitivity lookups ------------------------------------------------

  /**
   * The sensitive class an item inherits from its category path (nearest
   * tagged ancestor), null when none, undefined when the tenant has no such item.
   */
  async sensitiveClassOf(tenantId: string, itemId: string): Promise<SensitiveClass | null | undefined> {
    return (await this.sensitiveClassesOf(tenantId, [itemId])).get(itemId);
  }

  /** The same for many items in one query: a map from each existing item id to its class (or null). */
  async sensitiveClassesOf(tenantId: string, itemIds: readonly string[]): Promise<Map<string, SensitiveClass | null>> {
    const [paths, tags] = await Promise.all([
      this.#store.findCategoryPaths(tenantId, [...new Set(itemIds)]),
      this.#tagsOf(tenantId),
    ]);
    const out = new Map<string, SensitiveClass | null>();
    for (const [id, path] of paths) out.set(id, nearestSensitiveClass(path, tags));
    return out;
  }

  /** The class of a category path (e.g. the category page being viewed), or null; paths are normalized first. */
  async sensitiveClassOfCategory(tenantId: string, path: string): Promise<SensitiveClass | null> {
    if (categoryPathProblem(path)) return null;
    return nearestSensitiveClass(normalizeCategoryPath(path), await this.#tagsOf(tenantId));
  }

  // ---- categories ---------------------------------------------------------

  async listCategories(tenantId: string): Promise<Category[]> {
    const [records, tags] = await Promise.all([this.#store.listCategories(tenantId), this.#tagsOf(tenantId)]);
    return records.map((c) => ({ ...c, effectiveSensitiveClass: nearestSensitiveClass(c.path, tags) }));
  }

  async getCategory(tenantId: string, path: string): Promise<Category> {
    const normalized = checkCategoryPath(path);
    const record = await this.#store.findCategory(tenantId, normalized);
    if (!record) {
      throw notFound(
        'category_not_found',
        `The taxonomy has no category "${normalized}".`,
        'List categories with GET /v1/categories; create one with PUT /v1/categories/{path}.',
      );
    }
    return { ...record, effectiveSensitiveClass: nearestSensitiveClass(record.path, await this.#tagsOf(tenantId)) };
  }

  /**
   * Creates or replaces a category. `sensitiveClass` tags the category and,
   * through it, every item under it that has no nearer tagged ancestor; null
   * leaves it untagged (it then inherits from its ancestors).
   */
  async putCategory(
    tenantId: string,
    path: string,
    input: { name?: string | undefined; sensitiveClass: string | null },
  ): Promise<{ category: Category; created: boolean }> {
    const normalized = checkCategoryPath(path);
    if (input.sensitiveClass !== null && !isSensitiveClass(input.sensitiveClass)) {
      throw badRequest('invalid_sensitive_class', `"${input.sensitiveClass}" is not a sensitive class.`, {
        hint: 'Use one of the classes in docs/reference/sensitive-categories.md, or null for none.',
      });
    }
    const name = input.name?.trim() || normalized.slice(normalized.lastIndexOf('/') + 1);
    await this.#ensureDefaults(tenantId);
    const record: CategoryRecord = {
      path: normalized,
      name,
      sensitiveClass: input.sensitiveClass,
      updatedAt: this.#now(),
    };
    const created = await this.#store.upsertCategory(tenantId, record);
    this.#tags.delete(tenantId);
    return { category: await this.getCategory(tenantId, normalized), created };
  }

  async deleteCategory(tenantId: string, path: string): Promise<void> {
    const normalized = checkCategoryPath(path);
    if (!(await this.#store.deleteCategory(tenantId, normalized))) {
      throw notFound(
        'category_not_found',
        `The taxonomy has no category "${normalized}".`,
        'List categories with GET /v1/categories.',
      );
    }
    this.#tags.delete(tenantId);
  }

  /**
   * Applies the default sensitive taxonomy: adds each default category the
   * tenant does not have; categories it has are left as they are.
   */
  async applyDefaultTaxonomy(tenantId: string): Promise<{ added: string[] }> {
    const at = this.#now();
    const added = await this.#store.applyDefaultCategories(
      tenantId,
      DEFAULT_SENSITIVE_TAXONOMY.map((d) => ({
        path: d.path,
        name: d.name,
        sensitiveClass: d.sensitiveClass,
        updatedAt: at,
      })),
      at,
    );
    this.#seeded.add(tenantId);
    this.#tags.delete(tenantId);
    return { added };
  }

  // ---- internals ----------------------------------------------------------

  #checkBatchSize(n: number): void {
    if (n > MAX_BULK_ITEMS) {
      throw new AppError('too_many_items', 413, `${n} items in one request; at most ${MAX_BULK_ITEMS} are accepted.`, {
        hint: `Split the items into requests of at most ${MAX_BULK_ITEMS}.`,
      });
    }
  }

  async #write(tenantId: string, items: readonly ItemFields[]): Promise<{ item: Item; created: boolean }[]> {
    if (items.length === 0) return [];
    await this.#ensureDefaults(tenantId);
    const at = this.#now();
    const records: ItemRecord[] = items.map((i) => ({ ...i, updatedAt: at }));
    const created = new Set(await this.#store.upsertItems(tenantId, records));
    const tags = await this.#tagsOf(tenantId);
    return records.map((r) => ({ item: this.#withClass(r, tags), created: created.has(r.id) }));
  }

  /** Applies the default taxonomy once per tenant, before its first catalog write. */
  async #ensureDefaults(tenantId: string): Promise<void> {
    if (this.#seeded.has(tenantId)) return;
    if ((await this.#store.findDefaultsAppliedAt(tenantId)) === undefined) await this.applyDefaultTaxonomy(tenantId);
    this.#seeded.add(tenantId);
  }

  async #tagsOf(tenantId: string): Promise<Map<string, SensitiveClass>> {
    const now = this.#now();
    const cached = this.#tags.get(tenantId);
    if (cached && cached.until > now) return cached.tags;
    const tags = new Map((await this.#store.listTaggedCategories(tenantId)).map((t) => [t.path, t.sensitiveClass]));
    if (this.#cacheMs > 0) this.#tags.set(tenantId, { tags, until: now + this.#cacheMs });
    return tags;
  }

  #withClass(record: ItemRecord, tags: ReadonlyMap<string, SensitiveClass>): Item {
    return { ...record, sensitiveClass: nearestSensitiveClass(record.categoryPath, tags) };
  }
}

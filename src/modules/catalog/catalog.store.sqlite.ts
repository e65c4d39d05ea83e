import type { SensitiveClass } from '../../core/sensitive.ts';
import { type SqliteDb, sqlLimit } from '../../platform/db/database.ts';
import type { Attributes, CatalogStore, CategoryRecord, ItemPage, ItemRecord } from './catalog.store.ts';

interface ItemRow {
  id: string;
  title: string;
  category_path: string;
  attributes: string | Attributes;
  price: number | null;
  currency: string | null;
  available: number | boolean;
  updated_at: number | string;
}
interface CategoryRow {
  path: string;
  name: string;
  sensitive_class: string | null;
  updated_at: number | string;
}

export const itemFromRow = (r: ItemRow): ItemRecord => ({
  id: r.id,
  title: r.title,
  categoryPath: r.category_path,
  attributes: typeof r.attributes === 'string' ? (JSON.parse(r.attributes) as Attributes) : r.attributes,
  price: r.price === null ? null : Number(r.price),
  currency: r.currency,
  available: Boolean(r.available),
  updatedAt: Number(r.updated_at),
});

export const categoryFromRow = (r: CategoryRow): CategoryRecord => ({
  path: r.path,
  name: r.name,
  sensitiveClass: r.sensitive_class as SensitiveClass | null,
  updatedAt: Number(r.updated_at),
});

/**
 * The bounds of the items under a category path: the path itself, or any path
 * in ['p/', 'p0') in bytewise order ('0' follows '/').
 */
export const subtreeBounds = (path: string): [string, string, string] => [path, `${path}/`, `${path}0`];

const ITEM_COLUMNS = 'id, title, category_path, attributes, price, currency, available, updated_at';

export class SqliteCatalogStore implements CatalogStore {
  readonly #db: SqliteDb['sqlite'];
  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
  }

  async findItem(tenantId: string, id: string): Promise<ItemRecord | undefined> {
    const row = this.#db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE tenant_id = ? AND id = ?`)
      .get(tenantId, id) as ItemRow | undefined;
    return row && itemFromRow(row);
  }

  async catalogVersion(tenantId: string): Promise<number> {
    const version = this.#db
      .prepare('SELECT version FROM catalog_versions WHERE tenant_id = ?')
      .pluck()
      .get(tenantId) as number | undefined;
    return version ?? 0;
  }

  async findItems(tenantId: string, ids: readonly string[]): Promise<ItemRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.#db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`)
      .all(tenantId, JSON.stringify(ids)) as ItemRow[];
    return rows.map(itemFromRow);
  }

  async findCategoryPaths(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = this.#db
      .prepare('SELECT id, category_path FROM items WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))')
      .all(tenantId, JSON.stringify(ids)) as { id: string; category_path: string }[];
    return new Map(rows.map((r) => [r.id, r.category_path]));
  }

  async listItems(
    tenantId: string,
    options: { categoryPath?: string | undefined; afterId?: string | undefined; limit: number },
  ): Promise<ItemPage> {
    const where = ['tenant_id = ?'];
    const args: unknown[] = [tenantId];
    if (options.categoryPath !== undefined) {
      const [p, lo, hi] = subtreeBounds(options.categoryPath);
      where.push('(category_path = ? OR (category_path >= ? AND category_path < ?))');
      args.push(p, lo, hi);
    }
    if (options.afterId !== undefined) {
      where.push('id > ?');
      args.push(options.afterId);
    }
    const rows = this.#db
      .prepare(
        `SELECT ${ITEM_COLUMNS} FROM items WHERE ${where.join(' AND ')} ORDER BY id ${sqlLimit(options.limit + 1)}`,
      )
      .all(...args) as ItemRow[];
    return { items: rows.slice(0, options.limit).map(itemFromRow), more: rows.length > options.limit };
  }

  async upsertItems(tenantId: string, items: readonly ItemRecord[]): Promise<string[]> {
    const exists = this.#db.prepare('SELECT 1 FROM items WHERE tenant_id = ? AND id = ?');
    const upsert = this.#db.prepare(
      `INSERT INTO items (tenant_id, ${ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, id) DO UPDATE SET title = excluded.title, category_path = excluded.category_path,
         attributes = excluded.attributes, price = excluded.price, currency = excluded.currency,
         available = excluded.available, updated_at = excluded.updated_at`,
    );
    return this.#db.transaction(() => {
      const created: string[] = [];
      for (const it of items) {
        if (exists.get(tenantId, it.id) === undefined) created.push(it.id);
        upsert.run(
          tenantId,
          it.id,
          it.title,
          it.categoryPath,
          JSON.stringify(it.attributes),
          it.price,
          it.currency,
          it.available ? 1 : 0,
          it.updatedAt,
        );
      }
      return created;
    })();
  }

  async replaceItemIf(tenantId: string, it: ItemRecord, expectedUpdatedAt: number): Promise<boolean> {
    const r = this.#db
      .prepare(
        `UPDATE items SET title = ?, category_path = ?, attributes = ?, price = ?, currency = ?, available = ?, updated_at = ?
         WHERE tenant_id = ? AND id = ? AND updated_at = ?`,
      )
      .run(
        it.title,
        it.categoryPath,
        JSON.stringify(it.attributes),
        it.price,
        it.currency,
        it.available ? 1 : 0,
        it.updatedAt,
        tenantId,
        it.id,
        expectedUpdatedAt,
      );
    return r.changes === 1;
  }

  async deleteItem(tenantId: string, id: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM items WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes === 1;
  }

  async findMissingItems(tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const distinct = [...new Set(ids)];
    const found = new Set(
      (
        this.#db
          .prepare('SELECT id FROM items WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))')
          .pluck()
          .all(tenantId, JSON.stringify(distinct)) as string[]
      ).map(String),
    );
    return distinct.filter((id) => !found.has(id));
  }

  async findCategory(tenantId: string, path: string): Promise<CategoryRecord | undefined> {
    const row = this.#db
      .prepare('SELECT path, name, sensitive_class, updated_at FROM categories WHERE tenant_id = ? AND path = ?')
      .get(tenantId, path) as CategoryRow | undefined;
    return row && categoryFromRow(row);
  }

  async listCategories(tenantId: string): Promise<CategoryRecord[]> {
    const rows = this.#db
      .prepare('SELECT path, name, sensitive_class, updated_at FROM categories WHERE tenant_id = ? ORDER BY path')
      .all(tenantId) as CategoryRow[];
    return rows.map(categoryFromRow);
  }

  async listTaggedCategories(tenantId: string): Promise<{ path: string; sensitiveClass: SensitiveClass }[]> {
    const rows = this.#db
      .prepare('SELECT path, sensitive_class FROM categories WHERE tenant_id = ? AND sensitive_class IS NOT NULL')
      .all(tenantId) as { path: string; sensitive_class: SensitiveClass }[];
    return rows.map((r) => ({ path: r.path, sensitiveClass: r.sensitive_class }));
  }

  async upsertCategory(tenantId: string, c: CategoryRecord): Promise<boolean> {
    return this.#db.transaction(() => {
      const existed =
        this.#db.prepare('SELECT 1 FROM categories WHERE tenant_id = ? AND path = ?').get(tenantId, c.path) !==
        undefined;
      this.#db
        .prepare(
          `INSERT INTO categories (tenant_id, path, name, sensitive_class, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, path) DO UPDATE SET name = excluded.name,
             sensitive_class = excluded.sensitive_class, updated_at = excluded.updated_at`,
        )
        .run(tenantId, c.path, c.name, c.sensitiveClass, c.updatedAt);
      return !existed;
    })();
  }

  async deleteCategory(tenantId: string, path: string): Promise<boolean> {
    return (
      this.#db.prepare('DELETE FROM categories WHERE tenant_id = ? AND path = ?').run(tenantId, path).changes === 1
    );
  }

  async findDefaultsAppliedAt(tenantId: string): Promise<number | undefined> {
    const at = this.#db.prepare('SELECT applied_at FROM taxonomy_defaults WHERE tenant_id = ?').pluck().get(tenantId);
    return at === undefined ? undefined : Number(at);
  }

  async applyDefaultCategories(tenantId: string, categories: readonly CategoryRecord[], at: number): Promise<string[]> {
    const insert = this.#db.prepare(
      `INSERT INTO categories (tenant_id, path, name, sensitive_class, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, path) DO NOTHING`,
    );
    return this.#db.transaction(() => {
      const added: string[] = [];
      for (const c of categories) {
        if (insert.run(tenantId, c.path, c.name, c.sensitiveClass, c.updatedAt).changes === 1) added.push(c.path);
      }
      this.#db
        .prepare(
          'INSERT INTO taxonomy_defaults (tenant_id, applied_at) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET applied_at = excluded.applied_at',
        )
        .run(tenantId, at);
      return added;
    })();
  }
}

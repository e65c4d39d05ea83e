import type { SensitiveClass } from '../../core/sensitive.ts';
import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import { categoryFromRow, itemFromRow, subtreeBounds } from './catalog.store.sqlite.ts';
import type { CatalogStore, CategoryRecord, ItemPage, ItemRecord } from './catalog.store.ts';

const ITEM_COLUMNS = 'id, title, category_path, attributes, price, currency, available, updated_at';

export class PostgresCatalogStore implements CatalogStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async findItem(tenantId: string, id: string): Promise<ItemRecord | undefined> {
    const { rows } = await this.#pool.query(`SELECT ${ITEM_COLUMNS} FROM items WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    return rows[0] && itemFromRow(rows[0]);
  }

  async catalogVersion(tenantId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ version: number }>(
      'SELECT version FROM catalog_versions WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0]?.version ?? 0;
  }

  async findItems(tenantId: string, ids: readonly string[]): Promise<ItemRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#pool.query(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE tenant_id = $1 AND id = ANY($2::text[])`,
      [tenantId, ids],
    );
    return rows.map(itemFromRow);
  }

  async findCategoryPaths(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.#pool.query<{ id: string; category_path: string }>(
      'SELECT id, category_path FROM items WHERE tenant_id = $1 AND id = ANY($2::text[])',
      [tenantId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.category_path]));
  }

  async listItems(
    tenantId: string,
    options: { categoryPath?: string | undefined; afterId?: string | undefined; limit: number },
  ): Promise<ItemPage> {
    const where = ['tenant_id = $1'];
    const args: unknown[] = [tenantId];
    if (options.categoryPath !== undefined) {
      const [p, lo, hi] = subtreeBounds(options.categoryPath);
      args.push(p, lo, hi);
      where.push(`(category_path = $2 OR (category_path >= $3 AND category_path < $4))`);
    }
    if (options.afterId !== undefined) {
      args.push(options.afterId);
      where.push(`id > $${args.length}`);
    }
    args.push(options.limit + 1);
    const { rows } = await this.#pool.query(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${args.length}`,
      args,
    );
    return { items: rows.slice(0, options.limit).map(itemFromRow), more: rows.length > options.limit };
  }

  async upsertItems(tenantId: string, items: readonly ItemRecord[]): Promise<string[]> {
    if (items.length === 0) return [];
    // One statement for the whole batch: arrays unnested into rows. (xmax = 0)
    // is true for a row this statement inserted, false for one it updated.
    const { rows } = await this.#pool.query<{ id: string; inserted: boolean }>(
      `INSERT INTO items (tenant_id, ${ITEM_COLUMNS})
       SELECT $1, u.id, u.title, u.category_path, u.attributes::jsonb, u.price, u.currency, u.available, u.updated_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::boolean[], $9::bigint[])
         AS u(id, title, category_path, attributes, price, currency, available, updated_at)
       ON CONFLICT (tenant_id, id) DO UPDATE SET title = excluded.title, category_path = excluded.category_path,
         attributes = excluded.attributes, price = excluded.price, currency = excluded.currency,
         available = excluded.available, updated_at = excluded.updated_at
       RETURNING id, (xmax = 0) AS inserted`,
      [
        tenantId,
        items.map((i) => i.id),
        items.map((i) => i.title),
        items.map((i) => i.categoryPath),
        items.map((i) => JSON.stringify(i.attributes)),
        items.map((i) => i.price),
        items.map((i) => i.currency),
        items.map((i) => i.available),
        items.map((i) => i.updatedAt),
      ],
    );
    const inserted = new Set(rows.filter((r) => r.inserted).map((r) => r.id));
    return items.map((i) => i.id).filter((id) => inserted.has(id));
  }

  async replaceItemIf(tenantId: string, it: ItemRecord, expectedUpdatedAt: number): Promise<boolean> {
    const r = await this.#pool.query(
      `UPDATE items SET title = $1, category_path = $2, attributes = $3::jsonb, price = $4, currency = $5,
         available = $6, updated_at = $7
       WHERE tenant_id = $8 AND id = $9 AND updated_at = $10`,
      [
        it.title,
        it.categoryPath,
        JSON.stringify(it.attributes),
        it.price,
        it.currency,
        it.available,
        it.updatedAt,
        tenantId,
        it.id,
        expectedUpdatedAt,
      ],
    );
    return r.rowCount === 1;
  }

  async deleteItem(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM items WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r.rowCount === 1;
  }

  async findMissingItems(tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const distinct = [...new Set(ids)];
    const { rows } = await this.#pool.query<{ id: string }>(
      'SELECT id FROM items WHERE tenant_id = $1 AND id = ANY($2::text[])',
      [tenantId, distinct],
    );
    const found = new Set(rows.map((r) => r.id));
    return distinct.filter((id) => !found.has(id));
  }

  async findCategory(tenantId: string, path: string): Promise<CategoryRecord | undefined> {
    const { rows } = await this.#pool.query(
      'SELECT path, name, sensitive_class, updated_at FROM categories WHERE tenant_id = $1 AND path = $2',
      [tenantId, path],
    );
    return rows[0] && categoryFromRow(rows[0]);
  }

  async listCategories(tenantId: string): Promise<CategoryRecord[]> {
    const { rows } = await this.#pool.query(
      'SELECT path, name, sensitive_class, updated_at FROM categories WHERE tenant_id = $1 ORDER BY path',
      [tenantId],
    );
    return rows.map(categoryFromRow);
  }

  async listTaggedCategories(tenantId: string): Promise<{ path: string; sensitiveClass: SensitiveClass }[]> {
    const { rows } = await this.#pool.query<{ path: string; sensitive_class: SensitiveClass }>(
      'SELECT path, sensitive_class FROM categories WHERE tenant_id = $1 AND sensitive_class IS NOT NULL',
      [tenantId],
    );
    return rows.map((r) => ({ path: r.path, sensitiveClass: r.sensitive_class }));
  }

  async upsertCategory(tenantId: string, c: CategoryRecord): Promise<boolean> {
    const { rows } = await this.#pool.query<{ inserted: boolean }>(
      `INSERT INTO categories (tenant_id, path, name, sensitive_class, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, path) DO UPDATE SET name = excluded.name,
         sensitive_class = excluded.sensitive_class, updated_at = excluded.updated_at
       RETURNING (xmax = 0) AS inserted`,
      [tenantId, c.path, c.name, c.sensitiveClass, c.updatedAt],
    );
    return rows[0]?.inserted === true;
  }

  async deleteCategory(tenantId: string, path: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM categories WHERE tenant_id = $1 AND path = $2', [tenantId, path]);
    return r.rowCount === 1;
  }

  async findDefaultsAppliedAt(tenantId: string): Promise<number | undefined> {
    const { rows } = await this.#pool.query<{ applied_at: number }>(
      'SELECT applied_at FROM taxonomy_defaults WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].applied_at);
  }

  async applyDefaultCategories(tenantId: string, categories: readonly CategoryRecord[], at: number): Promise<string[]> {
    return pgTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<{ path: string }>(
        `INSERT INTO categories (tenant_id, path, name, sensitive_class, updated_at)
         SELECT $1, u.path, u.name, u.sensitive_class, u.updated_at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(path, name, sensitive_class, updated_at)
         ON CONFLICT (tenant_id, path) DO NOTHING
         RETURNING path`,
        [
          tenantId,
          categories.map((c) => c.path),
          categories.map((c) => c.name),
          categories.map((c) => c.sensitiveClass),
          categories.map((c) => c.updatedAt),
        ],
      );
      await client.query(
        `INSERT INTO taxonomy_defaults (tenant_id, applied_at) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET applied_at = excluded.applied_at`,
        [tenantId, at],
      );
      const added = new Set(rows.map((r) => r.path));
      return categories.map((c) => c.path).filter((p) => added.has(p));
    });
  }
}

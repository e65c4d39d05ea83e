import type { Db } from '../../platform/db/database.ts';

/**
 * Puts bare items straight into the catalog table, for event tests and
 * benchmarks that need known items and nothing else of the catalog.
 */
export async function seedItems(db: Db, tenantId: string, ids: readonly string[]): Promise<void> {
  const now = Date.now();
  if (db.kind === 'sqlite') {
    const insert = db.sqlite.prepare(
      "INSERT INTO items (tenant_id, id, title, category_path, updated_at) VALUES (?, ?, ?, 'test', ?) ON CONFLICT DO NOTHING",
    );
    db.sqlite.transaction(() => {
      for (const id of ids) insert.run(tenantId, id, `Item ${id}`, now);
    })();
    return;
  }
  await db.pool.query(
    `INSERT INTO items (tenant_id, id, title, category_path, updated_at)
     SELECT $1, id, 'Item ' || id, 'test', $3 FROM unnest($2::text[]) AS id ON CONFLICT DO NOTHING`,
    [tenantId, ids, now],
  );
}

/** A valid event for tests: a view of `itemId` by `subjectId`, occurring now. */
export function viewEvent(eventId: string, subjectId: string, itemId: string, extra: Record<string, unknown> = {}) {
  return { eventId, subjectId, type: 'view', itemId, occurredAt: new Date().toISOString(), ...extra };
}

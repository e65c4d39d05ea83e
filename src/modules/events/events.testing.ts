import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../platform/config.ts';
import type { Services } from '../../platform/container.ts';
import { createServices } from '../../platform/container.ts';
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

/**
 * A fresh, empty store for a server in a child process: a temporary data
 * directory (SQLite) or a new schema (PostgreSQL), as the environment
 * variables `pertinent serve` reads, and how to remove it afterwards.
 */
export async function freshServerStore(
  kind: 'sqlite' | 'postgres',
  databaseUrl?: string,
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pertinent-server-'));
    return { env: { PERTINENT_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!databaseUrl) throw new Error('a PostgreSQL URL is needed');
  const schema = `srv_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  return {
    env: { DATABASE_URL: databaseUrl, PERTINENT_PG_SCHEMA: schema },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Opens the store named by `env` (as the server would), runs `fn` on its services, and closes it. */
export async function withServices<T>(env: Record<string, string>, fn: (services: Services) => Promise<T>): Promise<T> {
  const services = await createServices(loadConfig({ PERTINENT_LOG_LEVEL: 'silent', ...env }));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

/** Every event id the tenant has, read straight from the table. */
export async function storedEventIds(db: Db, tenantId: string): Promise<string[]> {
  if (db.kind === 'sqlite') {
    return (
      db.sqlite.prepare('SELECT event_id FROM events WHERE tenant_id = ?').all(tenantId) as { event_id: string }[]
    ).map((r) => r.event_id);
  }
  const { rows } = await db.pool.query<{ event_id: string }>('SELECT event_id FROM events WHERE tenant_id = $1', [
    tenantId,
  ]);
  return rows.map((r) => r.event_id);
}

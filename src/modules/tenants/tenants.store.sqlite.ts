import type { SqliteDb } from '../../platform/db/database.ts';
import type { ApiKeyRecord, KeyScope, Tenant, TenantRecord, TenantStore } from './tenants.store.ts';

interface TenantRow {
  id: string;
  name: string;
  subject_token_secret: string;
  created_at: number;
}
interface KeyRow {
  id: string;
  tenant_id: string;
  scope: KeyScope;
  label: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export const tenantFromRow = (r: TenantRow): TenantRecord => ({
  id: r.id,
  name: r.name,
  subjectTokenSecret: r.subject_token_secret,
  createdAt: Number(r.created_at),
});

export const keyFromRow = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  scope: r.scope,
  label: r.label,
  secretHash: r.secret_hash,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export class SqliteTenantStore implements TenantStore {
  readonly #db: SqliteDb['sqlite'];
  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
  }

  async insertTenant(t: TenantRecord): Promise<boolean> {
    const r = this.#db
      .prepare(
        'INSERT INTO tenants (id, name, subject_token_secret, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      )
      .run(t.id, t.name, t.subjectTokenSecret, t.createdAt);
    return r.changes === 1;
  }

  async findTenant(id: string): Promise<TenantRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM tenants WHERE id = ?').get(id) as TenantRow | undefined;
    return row && tenantFromRow(row);
  }

  async listTenants(): Promise<Tenant[]> {
    const rows = this.#db.prepare('SELECT * FROM tenants ORDER BY id').all() as TenantRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
  }

  async setSubjectTokenSecret(tenantId: string, secret: string): Promise<boolean> {
    return (
      this.#db.prepare('UPDATE tenants SET subject_token_secret = ? WHERE id = ?').run(secret, tenantId).changes === 1
    );
  }

  async insertKey(k: ApiKeyRecord): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO api_keys (id, tenant_id, scope, label, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(k.id, k.tenantId, k.scope, k.label, k.secretHash, k.createdAt, k.revokedAt);
  }

  async findKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row && keyFromRow(row);
  }

  async listKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id')
      .all(tenantId) as KeyRow[];
    return rows.map(keyFromRow);
  }

  async listOrigins(tenantId: string): Promise<string[]> {
    const rows = this.#db
      .prepare('SELECT origin FROM tenant_origins WHERE tenant_id = ? ORDER BY origin')
      .all(tenantId) as { origin: string }[];
    return rows.map((r) => r.origin);
  }

  async setOrigins(tenantId: string, origins: readonly string[]): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM tenant_origins WHERE tenant_id = ?').run(tenantId);
      const insert = this.#db.prepare('INSERT INTO tenant_origins (tenant_id, origin) VALUES (?, ?)');
      for (const origin of origins) insert.run(tenantId, origin);
    })();
  }

  async revokeKey(tenantId: string, id: string, at: number): Promise<boolean> {
    return (
      this.#db
        .prepare('UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL')
        .run(at, tenantId, id).changes === 1
    );
  }
}

import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import { keyFromRow, tenantFromRow } from './tenants.store.sqlite.ts';
import type { ApiKeyRecord, Tenant, TenantRecord, TenantStore } from './tenants.store.ts';

export class PostgresTenantStore implements TenantStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async insertTenant(t: TenantRecord): Promise<boolean> {
    const r = await this.#pool.query(
      'INSERT INTO tenants (id, name, subject_token_secret, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [t.id, t.name, t.subjectTokenSecret, t.createdAt],
    );
    return r.rowCount === 1;
  }

  async findTenant(id: string): Promise<TenantRecord | undefined> {
    const { rows } = await this.#pool.query('SELECT * FROM tenants WHERE id = $1', [id]);
    return rows[0] && tenantFromRow(rows[0]);
  }

  async listTenants(): Promise<Tenant[]> {
    const { rows } = await this.#pool.query('SELECT * FROM tenants ORDER BY id');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
  }

  async setSubjectTokenSecret(tenantId: string, secret: string): Promise<boolean> {
    const r = await this.#pool.query('UPDATE tenants SET subject_token_secret = $1 WHERE id = $2', [secret, tenantId]);
    return r.rowCount === 1;
  }

  async insertKey(k: ApiKeyRecord): Promise<void> {
    await this.#pool.query(
      'INSERT INTO api_keys (id, tenant_id, scope, label, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [k.id, k.tenantId, k.scope, k.label, k.secretHash, k.createdAt, k.revokedAt],
    );
  }

  async findKey(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.#pool.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] && keyFromRow(rows[0]);
  }

  async listKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.#pool.query('SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id', [
      tenantId,
    ]);
    return rows.map(keyFromRow);
  }

  async listOrigins(tenantId: string): Promise<string[]> {
    const { rows } = await this.#pool.query<{ origin: string }>(
      'SELECT origin FROM tenant_origins WHERE tenant_id = $1 ORDER BY origin',
      [tenantId],
    );
    return rows.map((r) => r.origin);
  }

  async setOrigins(tenantId: string, origins: readonly string[]): Promise<void> {
    await pgTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM tenant_origins WHERE tenant_id = $1', [tenantId]);
      await client.query('INSERT INTO tenant_origins (tenant_id, origin) SELECT $1, unnest($2::text[])', [
        tenantId,
        origins,
      ]);
    });
  }

  async revokeKey(tenantId: string, id: string, at: number): Promise<boolean> {
    const r = await this.#pool.query(
      'UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL',
      [at, tenantId, id],
    );
    return r.rowCount === 1;
  }
}

/** Persistence of tenants and their API keys. Stores only persist; rules live in the service. */
export type KeyScope = 'publishable' | 'server' | 'admin';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface TenantRecord extends Tenant {
  readonly subjectTokenSecret: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly scope: KeyScope;
  readonly label: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface TenantStore {
  /** Inserts a tenant; returns false when the id is taken. */
  insertTenant(tenant: TenantRecord): Promise<boolean>;
  findTenant(id: string): Promise<TenantRecord | undefined>;
  listTenants(): Promise<Tenant[]>;
  setSubjectTokenSecret(tenantId: string, secret: string): Promise<boolean>;
  insertKey(key: ApiKeyRecord): Promise<void>;
  findKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** The origins whose pages may call the API with the tenant's publishable keys, sorted. */
  listOrigins(tenantId: string): Promise<string[]>;
  /** Replaces the tenant's allowed origins. */
  setOrigins(tenantId: string, origins: readonly string[]): Promise<void>;
  /** Marks a key revoked; returns false when no unrevoked key of that tenant has that id. */
  revokeKey(tenantId: string, id: string, at: number): Promise<boolean>;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import type { ApiKeyRecord, KeyScope, Tenant, TenantStore } from './tenants.store.ts';

/** What a request may do, once its key (and subject token) are verified. */
export interface AuthContext {
  readonly tenantId: string;
  readonly scope: KeyScope;
  readonly keyId: string;
}

/** A key as listed: never its secret, never its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly scope: KeyScope;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const PREFIX: Record<KeyScope, string> = { publishable: 'pub', server: 'srv', admin: 'adm' };
const KEY_RE = /^(pub|srv|adm)_([a-z0-9]{12})_([a-f0-9]{40})$/;
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,62}$';
const TENANT_RE = new RegExp(TENANT_ID_PATTERN);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const unauthorized = (message: string) =>
  new AppError('unauthorized', 401, message, {
    hint: 'Send an API key of this tenant as "Authorization: Bearer <key>". Keys are created with `pertinent keys create`.',
  });

export const keyInfo = (k: ApiKeyRecord): ApiKeyInfo => ({
  id: k.id,
  scope: k.scope,
  label: k.label,
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: iso(k.revokedAt),
});

/** `https://shop.example` exactly as browsers send it in `Origin`; anything else is refused. */
function originOf(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw) {
    throw badRequest('invalid_origin', `${JSON.stringify(raw)} is not an origin.`, {
      hint: 'Give each origin as a browser sends it: scheme, host and port only, e.g. "https://shop.example" or "http://localhost:3000", without a path or a trailing slash.',
    });
  }
  return url.origin;
}

/** Tenants, API keys (hashed, shown once, revocable) and their verification. */
export class TenantService {
  readonly #store: TenantStore;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { key: ApiKeyRecord | undefined; until: number }>();
  readonly #secrets = new Map<string, { secret: string; until: number }>();
  readonly #origins = new Map<string, { origins: ReadonlySet<string>; until: number }>();

  constructor(store: TenantStore, options: { now?: () => number; keyCacheSeconds?: number } = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = (options.keyCacheSeconds ?? 2) * 1000;
  }

  /** Creates a tenant; returns it with its subject-token secret (shown once). */
  async createTenant(id: string, name: string): Promise<{ tenant: Tenant; subjectTokenSecret: string }> {
    if (!TENANT_RE.test(id)) {
      throw badRequest('invalid_tenant_id', `Tenant id ${JSON.stringify(id)} is not valid.`, {
        hint: 'Use 2 to 63 lowercase letters, digits and dashes, starting with a letter or digit, e.g. "my-shop".',
      });
    }
    const subjectTokenSecret = `sts_${randomBytes(32).toString('hex')}`;
    const tenant = { id, name: name || id, createdAt: this.#now() };
    if (!(await this.#store.insertTenant({ ...tenant, subjectTokenSecret }))) {
      throw conflict('tenant_exists', `A tenant with id "${id}" already exists.`, 'Choose another id.');
    }
    return { tenant, subjectTokenSecret };
  }

  async getTenant(id: string): Promise<Tenant & { subjectTokenSecret: string }> {
    const t = await this.#store.findTenant(id);
    if (!t)
      throw notFound('tenant_not_found', `No tenant has id "${id}".`, 'List tenants with `pertinent tenants list`.');
    return t;
  }

  listTenants(): Promise<Tenant[]> {
    return this.#store.listTenants();
  }

  /** The tenant's subject-token secret, cached like keys (rotation reaches every node within the cache time). */
  async subjectTokenSecret(tenantId: string): Promise<string> {
    const now = this.#now();
    const cached = this.#secrets.get(tenantId);
    if (cached && cached.until > now) return cached.secret;
    const { subjectTokenSecret } = await this.getTenant(tenantId);
    if (this.#cacheMs > 0) this.#secrets.set(tenantId, { secret: subjectTokenSecret, until: now + this.#cacheMs });
    return subjectTokenSecret;
  }

  /** Replaces the tenant's subject-token secret; tokens signed with the old one stop working. */
  async rotateSubjectTokenSecret(tenantId: string): Promise<string> {
    await this.getTenant(tenantId);
    const secret = `sts_${randomBytes(32).toString('hex')}`;
    await this.#store.setSubjectTokenSecret(tenantId, secret);
    this.#secrets.delete(tenantId);
    return secret;
  }

  /** The origins whose pages may call the API with the tenant's publishable keys. */
  async allowedOrigins(tenantId: string): Promise<string[]> {
    await this.getTenant(tenantId);
    return this.#store.listOrigins(tenantId);
  }

  /** Replaces the tenant's allowed origins; each must be an origin (scheme, host, port), nothing more. */
  async setAllowedOrigins(tenantId: string, origins: readonly string[]): Promise<string[]> {
    const clean = [...new Set(origins.map(originOf))].sort();
    await this.getTenant(tenantId);
    await this.#store.setOrigins(tenantId, clean);
    this.#origins.delete(tenantId);
    return clean;
  }

  /** Whether a page on `origin` may call the API with the tenant's publishable key (cached like keys). */
  async originAllowed(tenantId: string, origin: string): Promise<boolean> {
    const now = this.#now();
    let cached = this.#origins.get(tenantId);
    if (!cached || cached.until <= now) {
      cached = { origins: new Set(await this.#store.listOrigins(tenantId)), until: now + this.#cacheMs };
      if (this.#cacheMs > 0) this.#origins.set(tenantId, cached);
    }
    return cached.origins.has(origin);
  }

  /** Creates a key; the returned `secret` is the whole key and is never shown again. */
  async createKey(tenantId: string, scope: KeyScope, label: string): Promise<{ key: ApiKeyInfo; secret: string }> {
    await this.getTenant(tenantId);
    const id = randomBytes(8).toString('hex').slice(0, 12);
    const secretPart = randomBytes(20).toString('hex');
    const record: ApiKeyRecord = {
      id,
      tenantId,
      scope,
      label: label || `${scope} key`,
      secretHash: sha256(secretPart),
      createdAt: this.#now(),
      revokedAt: null,
    };
    await this.#store.insertKey(record);
    return { key: keyInfo(record), secret: `${PREFIX[scope]}_${id}_${secretPart}` };
  }

  async listKeys(tenantId: string): Promise<ApiKeyInfo[]> {
    await this.getTenant(tenantId);
    return (await this.#store.listKeys(tenantId)).map(keyInfo);
  }

  async revokeKey(tenantId: string, keyId: string): Promise<void> {
    if (!(await this.#store.revokeKey(tenantId, keyId, this.#now()))) {
      throw notFound(
        'key_not_found',
        `Tenant "${tenantId}" has no active key with id "${keyId}".`,
        'List the keys with `pertinent keys list` or GET /v1/keys.',
      );
    }
    this.#cache.delete(keyId);
  }

  /** Verifies a presented key; throws 401 `unauthorized` when it is unknown, malformed or revoked. */
  async authenticate(presented: string | undefined): Promise<AuthContext> {
    if (!presented) throw unauthorized('This request needs an API key and carries none.');
    const m = KEY_RE.exec(presented);
    if (!m) throw unauthorized('The API key is malformed.');
    const [, prefix, id, secretPart] = m as unknown as [string, string, string, string];
    const now = this.#now();
    let cached = this.#cache.get(id);
    if (!cached || cached.until <= now) {
      cached = { key: await this.#store.findKey(id), until: now + this.#cacheMs };
      if (this.#cacheMs > 0) this.#cache.set(id, cached);
    }
    const key = cached.key;
    const hash = Buffer.from(sha256(secretPart), 'hex');
    if (
      !key ||
      PREFIX[key.scope] !== prefix ||
      !timingSafeEqual(hash, Buffer.from(key.secretHash, 'hex')) ||
      key.revokedAt !== null
    ) {
      throw unauthorized('The API key is unknown or has been revoked.');
    }
    return { tenantId: key.tenantId, scope: key.scope, keyId: key.id };
  }
}

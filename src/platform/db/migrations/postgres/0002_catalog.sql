-- Catalog: category taxonomy (with sensitivity tags) and items, per tenant.
-- Category paths use the "C" collation (bytewise order), so that the items
-- under a path are one index range: path = p OR (path >= 'p/' AND path < 'p0').
CREATE TABLE categories (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  path TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  sensitive_class TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, path)
);

CREATE TABLE items (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  category_path TEXT COLLATE "C" NOT NULL,
  attributes JSONB NOT NULL DEFAULT '{}',
  price DOUBLE PRECISION,
  currency TEXT,
  available BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX items_category ON items(tenant_id, category_path);

-- When the default sensitive taxonomy was applied to a tenant (once, on its
-- first catalog write; see docs/reference/sensitive-categories.md).
CREATE TABLE taxonomy_defaults (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  applied_at BIGINT NOT NULL
);

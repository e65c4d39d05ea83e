-- Catalog: category taxonomy (with sensitivity tags) and items, per tenant.
CREATE TABLE categories (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  sensitive_class TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, path)
);

CREATE TABLE items (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  category_path TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}',
  price REAL,
  currency TEXT,
  available INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX items_category ON items(tenant_id, category_path);

-- When the default sensitive taxonomy was applied to a tenant (once, on its
-- first catalog write; see docs/reference/sensitive-categories.md).
CREATE TABLE taxonomy_defaults (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  applied_at INTEGER NOT NULL
);

-- Catalog: category taxonomy (with sensitivity tags) and items, per tenant.
CREATE TABLE categories (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  sensitive_class TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, path)
);

CREATE TABLE items (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  category_path TEXT NOT NULL,
  attributes JSONB NOT NULL DEFAULT '{}',
  price DOUBLE PRECISION,
  currency TEXT,
  available BOOLEAN NOT NULL DEFAULT TRUE,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX items_category ON items(tenant_id, category_path);

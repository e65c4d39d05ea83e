-- Events (observed behaviour) and declarations (zero-party data), per tenant.
-- Times are epoch milliseconds. No IP address, user agent or other request
-- metadata is stored: only what the event itself says.

-- One row per (tenant, subject, client event id): a retried batch is not
-- stored twice. The one index serves both deduplication and reading a
-- subject's events (see docs/adr/0009-event-ingest.md): a second index on the
-- event id alone would double the scattered index writes of every insert.
-- A rowid table: rows are appended in arrival order; only the small index
-- entries land at scattered places.
-- No foreign key to tenants on this, the hottest table: the tenant is checked
-- once per batch through its API key; deleting a tenant must delete its
-- events explicitly.
CREATE TABLE events (
  tenant_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('view', 'cart', 'purchase', 'search', 'click', 'dismiss', 'impression')),
  item_id TEXT,
  query TEXT,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  quantity INTEGER,
  price REAL,
  placement TEXT,
  page TEXT,
  source TEXT NOT NULL CHECK (source IN ('web', 'app', 'pos', 'email', 'import')),
  purpose TEXT NOT NULL,
  provenance TEXT NOT NULL DEFAULT 'observed' CHECK (provenance = 'observed'),
  UNIQUE (tenant_id, subject_id, event_id)
);

-- What a subject told us, one row per kind of declaration (interests,
-- not_interested, channels, quiet_hours, locale), each with its own source
-- and purpose. `value` is JSON.
CREATE TABLE declarations (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  purpose TEXT NOT NULL,
  provenance TEXT NOT NULL DEFAULT 'declared' CHECK (provenance = 'declared'),
  declared_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, subject_id, kind)
) WITHOUT ROWID;

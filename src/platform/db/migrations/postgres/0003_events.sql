-- Events (observed behaviour) and declarations (zero-party data), per tenant.
-- Times are epoch milliseconds. No IP address, user agent or other request
-- metadata is stored: only what the event itself says.

-- One row per (tenant, subject, client event id): a retried batch is not
-- stored twice. The one index serves both deduplication and reading a
-- subject's events (see docs/adr/0009-event-ingest.md).
-- No foreign key to tenants on this, the hottest table: a per-row key check
-- (a trigger and a row lock per event) costs ingest throughput; the tenant is
-- checked once per batch through its API key; deleting a tenant must delete
-- its events explicitly.
CREATE TABLE events (
  tenant_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('view', 'cart', 'purchase', 'search', 'click', 'dismiss', 'impression')),
  item_id TEXT,
  query TEXT,
  occurred_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  quantity INTEGER,
  price DOUBLE PRECISION,
  placement TEXT,
  page TEXT,
  source TEXT NOT NULL CHECK (source IN ('web', 'app', 'pos', 'email', 'import')),
  purpose TEXT NOT NULL,
  provenance TEXT NOT NULL DEFAULT 'observed' CHECK (provenance = 'observed'),
  PRIMARY KEY (tenant_id, subject_id, event_id)
);

-- What a subject told us, one row per kind of declaration (interests,
-- not_interested, channels, quiet_hours, locale), each with its own source
-- and purpose.
CREATE TABLE declarations (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value JSONB NOT NULL,
  source TEXT NOT NULL,
  purpose TEXT NOT NULL,
  provenance TEXT NOT NULL DEFAULT 'declared' CHECK (provenance = 'declared'),
  declared_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subject_id, kind)
);

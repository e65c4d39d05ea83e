-- Origins whose pages may call the API with the tenant's publishable key
-- (docs/adr/0013-browser-origins-and-model-removals.md). No row: only the server's own origin.
CREATE TABLE tenant_origins (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  PRIMARY KEY (tenant_id, origin)
);

-- Subjects whose contribution left the in-memory models (erasure, withdrawal,
-- objection, restriction), for every node to apply to its own models. The
-- subject is named only by the keyed hash the erasure tombstones use; rows go
-- after a day (the sweep).
CREATE TABLE model_removals (
  seq BIGSERIAL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_hmac TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX model_removals_created ON model_removals(created_at);

-- Tenants (shops) and their API keys. Times are epoch milliseconds.
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  subject_token_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Keys are stored hashed (SHA-256 of the secret part); the secret is shown once.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  scope TEXT NOT NULL CHECK (scope IN ('publishable', 'server', 'admin')),
  label TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

-- Consent: policy (notice) versions, the append-only hash-chained ledger per
-- tenant, its head, and the current state per subject and purpose. Times are
-- epoch milliseconds. No IP address is ever stored.

CREATE TABLE consent_policies (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  notice_hash TEXT NOT NULL,
  notice_text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, version)
);

-- The version currently shown; consents given under another one need renewal.
CREATE TABLE consent_current_policy (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  since BIGINT NOT NULL,
  FOREIGN KEY (tenant_id, version) REFERENCES consent_policies(tenant_id, version)
);

-- hash = SHA-256(prev_hash || canonical JSON of the other fields); see src/core/consent/ledger.ts.
CREATE TABLE consent_ledger (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  status TEXT NOT NULL,
  method TEXT NOT NULL,
  policy_version TEXT,
  notice_hash TEXT,
  jurisdiction TEXT,
  source TEXT NOT NULL,
  tc_string TEXT,
  gpp_string TEXT,
  recorded_at BIGINT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX consent_ledger_subject ON consent_ledger(tenant_id, subject_id, seq);

-- The last entry of each tenant's chain, updated in the entry's transaction, so
-- that removing the last entries is detected too.
CREATE TABLE consent_ledger_heads (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  last_seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The latest choice per subject and purpose, for fast lookups by decisions.
CREATE TABLE consent_states (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  status TEXT NOT NULL,
  method TEXT NOT NULL,
  policy_version TEXT,
  seq BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subject_id, purpose)
);

-- Data rights, retention and erasure. Times are epoch milliseconds.

-- The consent ledger no longer records subject ids: each subject gets a random
-- pseudonym, and ledger entries carry subject_ref = SHA-256 of it. Erasure
-- deletes the mapping row; the entries then point at a hash of a value that
-- no longer exists anywhere, and the chain stays verifiable.
-- Entries written before this migration carry the raw subject id; they are
-- mapped to themselves (pseudonym NULL) and stay identifying (docs/adr/0010-erasure.md).
ALTER TABLE consent_ledger RENAME COLUMN subject_id TO subject_ref;
CREATE TABLE consent_subjects (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  pseudonym TEXT,
  subject_ref TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
);
CREATE INDEX consent_subjects_ref ON consent_subjects(tenant_id, subject_ref);
INSERT INTO consent_subjects (tenant_id, subject_id, pseudonym, subject_ref, created_at)
  SELECT DISTINCT tenant_id, subject_ref, NULL::text, subject_ref, 0::bigint FROM consent_ledger;

-- Objection to profiling (Art. 21) and restriction of processing (Art. 18),
-- read by decisions through the consent port.
CREATE TABLE subject_restrictions (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  object_to_profiling BOOLEAN NOT NULL,
  restrict_processing BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
);

-- The data protection officer's log of data-subject requests. subject_id is
-- NULL for erasures and set to NULL on every earlier request of an erased
-- subject; counts is JSON of numbers only.
CREATE TABLE rights_requests (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'objection')),
  actor_scope TEXT NOT NULL CHECK (actor_scope IN ('publishable', 'server', 'admin', 'cli')),
  received_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  subject_id TEXT,
  counts JSONB,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX rights_requests_received ON rights_requests(tenant_id, received_at);
CREATE INDEX rights_requests_subject ON rights_requests(tenant_id, subject_id);
CREATE INDEX rights_requests_age ON rights_requests(received_at);

-- Erasure tombstones: HMAC-SHA256 of the subject id under the tenant's erasure
-- key, and when. Kept only until no event older than the erasure can be
-- accepted any more (the events retention limit), then swept.
CREATE TABLE erasure_keys (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE erasure_tombstones (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_hmac TEXT NOT NULL,
  erased_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subject_hmac)
);
CREATE INDEX erasure_tombstones_age ON erasure_tombstones(erased_at);

-- The retention sweep deletes by age across tenants.
CREATE INDEX events_age ON events(occurred_at);
CREATE INDEX decisions_age ON decisions(created_at);
CREATE INDEX decision_counters_age ON decision_counters(at);

-- What every decision reads about its subject, each in one B-tree (ADR 0006,
-- "Reads per decision (stop 13)"). A rowid table with a primary key is two
-- B-trees: a lookup by the key searched the key's index and then the table,
-- and under load each of those pages is read again from the file, because
-- another server process's commit empties this connection's page cache.

-- The latest choice per subject and purpose: its primary key is the lookup.
CREATE TABLE consent_states_by_key (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  status TEXT NOT NULL,
  method TEXT NOT NULL,
  policy_version TEXT,
  seq INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, subject_id, purpose)
) WITHOUT ROWID;
INSERT INTO consent_states_by_key
  SELECT tenant_id, subject_id, purpose, status, method, policy_version, seq, recorded_at FROM consent_states;
DROP TABLE consent_states;
ALTER TABLE consent_states_by_key RENAME TO consent_states;

-- Objection to profiling and restriction of processing, likewise.
CREATE TABLE subject_restrictions_by_key (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  object_to_profiling INTEGER NOT NULL CHECK (object_to_profiling IN (0, 1)),
  restrict_processing INTEGER NOT NULL CHECK (restrict_processing IN (0, 1)),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
) WITHOUT ROWID;
INSERT INTO subject_restrictions_by_key
  SELECT tenant_id, subject_id, object_to_profiling, restrict_processing, updated_at FROM subject_restrictions;
DROP TABLE subject_restrictions;
ALTER TABLE subject_restrictions_by_key RENAME TO subject_restrictions;

-- A subject's counters are read from their index alone (it holds every column read).
DROP INDEX decision_counters_subject;
CREATE INDEX decision_counters_subject ON decision_counters(tenant_id, subject_id, at, scope, key);

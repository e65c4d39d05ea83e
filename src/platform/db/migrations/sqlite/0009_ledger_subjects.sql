-- A subject may have two ledger references: the raw id its entries carried
-- before pseudonyms (0008, pseudonym NULL) and its pseudonym's hash for every
-- entry since. The mapping is keyed by reference; at most one pseudonymous row
-- per subject.
CREATE TABLE consent_subjects_by_ref (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  pseudonym TEXT,
  subject_ref TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, subject_ref)
);
INSERT INTO consent_subjects_by_ref (tenant_id, subject_id, pseudonym, subject_ref, created_at)
  SELECT tenant_id, subject_id, pseudonym, subject_ref, created_at FROM consent_subjects;
DROP TABLE consent_subjects;
ALTER TABLE consent_subjects_by_ref RENAME TO consent_subjects;
CREATE INDEX consent_subjects_subject ON consent_subjects(tenant_id, subject_id);
CREATE UNIQUE INDEX consent_subjects_pseudonymous ON consent_subjects(tenant_id, subject_id) WHERE pseudonym IS NOT NULL;

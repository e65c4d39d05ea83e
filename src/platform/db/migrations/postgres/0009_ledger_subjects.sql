-- A subject may have two ledger references: the raw id its entries carried
-- before pseudonyms (0008, pseudonym NULL) and its pseudonym's hash for every
-- entry since. The mapping is keyed by reference; at most one pseudonymous row
-- per subject.
ALTER TABLE consent_subjects DROP CONSTRAINT consent_subjects_pkey;
ALTER TABLE consent_subjects ADD PRIMARY KEY (tenant_id, subject_ref);
DROP INDEX consent_subjects_ref;
CREATE INDEX consent_subjects_subject ON consent_subjects(tenant_id, subject_id);
CREATE UNIQUE INDEX consent_subjects_pseudonymous ON consent_subjects(tenant_id, subject_id) WHERE pseudonym IS NOT NULL;

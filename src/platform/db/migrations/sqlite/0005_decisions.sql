-- Decisions: placement configuration, the audit record of every decision, and
-- frequency counters. Times are epoch milliseconds. An audit record keeps
-- which data categories and consents a decision relied on and the reason
-- codes of its items, never the raw data it read.

CREATE TABLE decision_placements (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  config TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- A rowid table: records are a few kilobytes, too large for WITHOUT ROWID
-- (appending them is about twice as fast this way).
CREATE TABLE decisions (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  subject_id TEXT,
  placement TEXT NOT NULL,
  purpose TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('personalized', 'contextual', 'popular')),
  record TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX decisions_subject ON decisions(tenant_id, subject_id, created_at);

-- One row per impression counted for a cap (scope placement, campaign, channel, item, retarget).
CREATE TABLE decision_counters (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX decision_counters_subject ON decision_counters(tenant_id, subject_id, at);

-- Category -> category complements published by the recommendation side (ADR 0012): an aggregate of
-- consented baskets, each pair bought together by at least a minimum number of distinct subjects.
-- Categories and a weight only: no subject, item or time. Replaced as a whole on each publication;
-- the operator's table (ad_category_relations) overrides it pair by pair.
CREATE TABLE ad_learned_relations (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  from_category TEXT NOT NULL,
  to_category TEXT NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (tenant_id, from_category, to_category)
);

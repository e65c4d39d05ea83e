-- Contextual advertising (issue 6): venues, campaigns, placements (web slots
-- and screens), the tenant's category-to-category complement table, and
-- counters. Nothing here concerns a person: there is no subject column, no
-- event, no address, no device identifier. Times are epoch milliseconds.

CREATE TABLE ad_venues (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  config TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE ad_campaigns (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  config TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- key_id: the publishable key bound to this screen (it may ask for this placement only).
CREATE TABLE ad_placements (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  config TEXT NOT NULL,
  key_id TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- Category -> category complementarity (aggregate lifts learned from baskets, or set by the operator).
CREATE TABLE ad_category_relations (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  from_category TEXT NOT NULL,
  to_category TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (tenant_id, from_category, to_category)
);

-- Budget counter per campaign. served: impressions committed; reserved: the
-- durable upper bound of what may have been served (leases, see ADR 0007).
CREATE TABLE ad_campaign_counters (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  campaign_id TEXT NOT NULL,
  served BIGINT NOT NULL DEFAULT 0,
  reserved BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, campaign_id)
);

-- Per-screen frequency: impressions of a campaign on a placement in a fixed window.
CREATE TABLE ad_screen_counters (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  placement_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  shown BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, placement_id, campaign_id, window_start)
);

-- Reporting: counts per campaign, venue and UTC day. No viewer identifiers exist on this path.
CREATE TABLE ad_daily (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  venue_id TEXT NOT NULL,
  served BIGINT NOT NULL DEFAULT 0,
  played BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, campaign_id, venue_id)
);

-- Proof of play is counted once per ad decision id (random, identifies no one); purged after two days.
CREATE TABLE ad_play_receipts (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  decision_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, decision_id)
);
CREATE INDEX ad_play_receipts_at ON ad_play_receipts(at);

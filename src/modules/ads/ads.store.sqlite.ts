import type BetterSqlite3 from 'better-sqlite3';
import type { AdPlacement, Campaign, CategoryRelation, Venue } from '../../core/ads/types.ts';
import { type SqliteDb, withoutWaitingForDisk } from '../../platform/db/database.ts';
import type {
  AdStore,
  PlayRecord,
  RelationSource,
  ReportFilter,
  ReportRow,
  ServeAttempt,
  ServeResult,
  StoredPlacement,
} from './ads.store.ts';
import { RELATION_TABLES } from './ads.store.ts';

/** How many impressions one durable reservation covers (see ADR 0007: a crash under-delivers, never overspends). */
export const leaseSize = (budget: number): number => Math.max(1, Math.min(1000, Math.ceil(budget / 100)));

/** Milliseconds between two flushes of the counters. */
const FLUSH_MS = 200;
const KEEP_SCREEN_MS = 10 * 60_000;

interface CampaignCounter {
  served: number;
  reserved: number;
  dirty: boolean;
}

interface ScreenCounter {
  shown: number;
  dirty: boolean;
  touched: number;
}

const sep = '\u0000';

/**
 * The embedded store. Configuration is written at once (one transaction per
 * write). Counters, which move on every ad decision, live in this process's
 * memory and are written in one transaction every 200 ms and on close: one
 * process owns a SQLite file, so its memory is the truth between flushes.
 *
 * Budgets never overspend, even after a crash: before serving, the process
 * durably reserves a lease of impressions (`reserved`), and after a restart
 * everything reserved counts as served. A crash loses at most one lease of
 * delivery per campaign, and up to 200 ms of report counts and per-screen
 * counts (a screen asks every few seconds, so at most one impression over a
 * cap).
 */
export class SqliteAdStore implements AdStore {
  readonly #db: BetterSqlite3.Database;
  readonly #campaigns = new Map<string, CampaignCounter>();
  readonly #screens = new Map<string, ScreenCounter>();
  readonly #daily = new Map<string, { served: number; played: number }>();
  readonly #receipts = new Map<string, { tenantId: string; decisionId: string; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  readonly #s;

  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
    const p = (sql: string) => this.#db.prepare(sql);
    this.#s = {
      putConfig: (table: string) =>
        p(
          `INSERT INTO ${table} (tenant_id, id, config, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
        ),
      exists: (table: string) => p(`SELECT 1 AS x FROM ${table} WHERE tenant_id = ? AND id = ?`),
      find: (table: string) => p(`SELECT * FROM ${table} WHERE tenant_id = ? AND id = ?`),
      list: (table: string) => p(`SELECT * FROM ${table} WHERE tenant_id = ? ORDER BY id`),
      del: (table: string) => p(`DELETE FROM ${table} WHERE tenant_id = ? AND id = ?`),
      ensureCounter: p('INSERT OR IGNORE INTO ad_campaign_counters (tenant_id, campaign_id) VALUES (?, ?)'),
      counter: p('SELECT served, reserved FROM ad_campaign_counters WHERE tenant_id = ? AND campaign_id = ?'),
      counters: p('SELECT campaign_id, served, reserved FROM ad_campaign_counters WHERE tenant_id = ?'),
      reserve: p('UPDATE ad_campaign_counters SET reserved = ? WHERE tenant_id = ? AND campaign_id = ?'),
      writeServed: p('UPDATE ad_campaign_counters SET served = ? WHERE tenant_id = ? AND campaign_id = ?'),
      release: p('UPDATE ad_campaign_counters SET reserved = served WHERE tenant_id = ? AND campaign_id = ?'),
      screen: p(
        'SELECT shown FROM ad_screen_counters WHERE tenant_id = ? AND placement_id = ? AND campaign_id = ? AND window_start = ?',
      ),
      writeScreen: p(
        `INSERT INTO ad_screen_counters (tenant_id, placement_id, campaign_id, window_start, shown) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, placement_id, campaign_id, window_start) DO UPDATE SET shown = excluded.shown`,
      ),
      purgeScreens: p('DELETE FROM ad_screen_counters WHERE window_start < ?'),
      addDaily: p(
        `INSERT INTO ad_daily (tenant_id, day, campaign_id, venue_id, served, played) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, day, campaign_id, venue_id) DO UPDATE SET served = served + excluded.served, played = played + excluded.played`,
      ),
      receipt: p('SELECT 1 AS x FROM ad_play_receipts WHERE tenant_id = ? AND decision_id = ?'),
      addReceipt: p('INSERT OR IGNORE INTO ad_play_receipts (tenant_id, decision_id, at) VALUES (?, ?, ?)'),
      purgeReceipts: p('DELETE FROM ad_play_receipts WHERE at < ?'),
      report: p(
        `SELECT day, campaign_id, venue_id, served, played FROM ad_daily
         WHERE tenant_id = ? AND day >= ? AND day <= ? AND (? IS NULL OR campaign_id = ?) AND (? IS NULL OR venue_id = ?)
         ORDER BY day, campaign_id, venue_id`,
      ),
      bind: p('UPDATE ad_placements SET key_id = ? WHERE tenant_id = ? AND id = ?'),
      putPlacement: p(
        `INSERT INTO ad_placements (tenant_id, id, config, key_id, updated_at) VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      ),
      deleteRelations: (table: string) => p(`DELETE FROM ${table} WHERE tenant_id = ?`),
      insertRelation: (table: string) =>
        p(`INSERT OR REPLACE INTO ${table} (tenant_id, from_category, to_category, weight) VALUES (?, ?, ?, ?)`),
      relations: (table: string) =>
        p(
          `SELECT from_category, to_category, weight FROM ${table} WHERE tenant_id = ? ORDER BY from_category, to_category`,
        ),
    };
  }

  #put(table: string, tenantId: string, id: string, value: unknown, updatedAt: number): boolean {
    return this.#db.transaction(() => {
      const existed = this.#s.exists(table).get(tenantId, id) !== undefined;
      this.#s.putConfig(table).run(tenantId, id, JSON.stringify(value), updatedAt);
      return !existed;
    })();
  }

  #find<T>(table: string, tenantId: string, id: string): T | undefined {
    const row = this.#s.find(table).get(tenantId, id) as { config: string } | undefined;
    return row ? (JSON.parse(row.config) as T) : undefined;
  }

  #list<T>(table: string, tenantId: string): T[] {
    return (this.#s.list(table).all(tenantId) as { config: string }[]).map((r) => JSON.parse(r.config) as T);
  }

  async putVenue(tenantId: string, venue: Venue): Promise<boolean> {
    return this.#put('ad_venues', tenantId, venue.id, venue, venue.updatedAt);
  }
  async findVenue(tenantId: string, id: string): Promise<Venue | undefined> {
    return this.#find('ad_venues', tenantId, id);
  }
  async listVenues(tenantId: string): Promise<Venue[]> {
    return this.#list('ad_venues', tenantId);
  }
  async deleteVenue(tenantId: string, id: string): Promise<boolean> {
    return this.#s.del('ad_venues').run(tenantId, id).changes === 1;
  }

  async putCampaign(tenantId: string, campaign: Campaign): Promise<boolean> {
    return this.#db.transaction(() => {
      this.#s.ensureCounter.run(tenantId, campaign.id);
      return this.#put('ad_campaigns', tenantId, campaign.id, campaign, campaign.updatedAt);
    })();
  }
  async findCampaign(tenantId: string, id: string): Promise<Campaign | undefined> {
    return this.#find('ad_campaigns', tenantId, id);
  }
  async listCampaigns(tenantId: string): Promise<Campaign[]> {
    return this.#list('ad_campaigns', tenantId);
  }
  async deleteCampaign(tenantId: string, id: string): Promise<boolean> {
    return this.#s.del('ad_campaigns').run(tenantId, id).changes === 1;
  }

  async putPlacement(tenantId: string, placement: AdPlacement): Promise<boolean> {
    return this.#db.transaction(() => {
      const existed = this.#s.exists('ad_placements').get(tenantId, placement.id) !== undefined;
      this.#s.putPlacement.run(tenantId, placement.id, JSON.stringify(placement), placement.updatedAt);
      return !existed;
    })();
  }
  async findPlacement(tenantId: string, id: string): Promise<StoredPlacement | undefined> {
    const row = this.#s.find('ad_placements').get(tenantId, id) as PlacementRow | undefined;
    return row && placementFromRow(row);
  }
  async listPlacements(tenantId: string): Promise<StoredPlacement[]> {
    return (this.#s.list('ad_placements').all(tenantId) as PlacementRow[]).map(placementFromRow);
  }
  async deletePlacement(tenantId: string, id: string): Promise<boolean> {
    return this.#s.del('ad_placements').run(tenantId, id).changes === 1;
  }
  async bindKey(tenantId: string, placementId: string, keyId: string): Promise<string | null> {
    return this.#db.transaction(() => {
      const row = this.#s.find('ad_placements').get(tenantId, placementId) as PlacementRow | undefined;
      this.#s.bind.run(keyId, tenantId, placementId);
      return row?.key_id ?? null;
    })();
  }

  async replaceRelations(
    tenantId: string,
    relations: readonly CategoryRelation[],
    source: RelationSource,
  ): Promise<void> {
    const table = RELATION_TABLES[source];
    this.#db.transaction(() => {
      this.#s.deleteRelations(table).run(tenantId);
      const insert = this.#s.insertRelation(table);
      for (const r of relations) insert.run(tenantId, r.from, r.to, r.weight);
    })();
  }
  async listRelations(tenantId: string, source: RelationSource): Promise<CategoryRelation[]> {
    return (
      this.#s.relations(RELATION_TABLES[source]).all(tenantId) as {
        from_category: string;
        to_category: string;
        weight: number;
      }[]
    ).map((r) => ({ from: r.from_category, to: r.to_category, weight: r.weight }));
  }

  // ---- counters -------------------------------------------------------------

  #campaign(tenantId: string, campaignId: string): CampaignCounter {
    const key = tenantId + sep + campaignId;
    let c = this.#campaigns.get(key);
    if (!c) {
      const row = this.#s.counter.get(tenantId, campaignId) as { served: number; reserved: number } | undefined;
      // After a crash, whatever was reserved may have been served: count it (never overspend).
      const served = row ? Math.max(row.served, row.reserved) : 0;
      c = { served, reserved: served, dirty: row !== undefined && row.reserved !== row.served };
      if (!row) this.#s.ensureCounter.run(tenantId, campaignId);
      this.#campaigns.set(key, c);
    }
    return c;
  }

  async servedCounts(tenantId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of this.#s.counters.all(tenantId) as { campaign_id: string; served: number; reserved: number }[]) {
      out.set(r.campaign_id, this.#campaigns.get(tenantId + sep + r.campaign_id)?.served ?? r.served);
    }
    return out;
  }

  async tryServe(a: ServeAttempt): Promise<ServeResult> {
    const c = this.#campaign(a.tenantId, a.campaignId);
    const skey = [a.tenantId, a.placementId, a.campaignId, a.windowStart].join(sep);
    let s = this.#screens.get(skey);
    if (!s) {
      const row = this.#s.screen.get(a.tenantId, a.placementId, a.campaignId, a.windowStart) as
        | { shown: number }
        | undefined;
      s = { shown: row?.shown ?? 0, dirty: false, touched: 0 };
      this.#screens.set(skey, s);
    }
    s.touched = Date.now();
    if (c.served >= Math.min(a.allowance, a.budget) || s.shown >= a.capLimit) {
      return { ok: false, served: c.served, shown: s.shown };
    }
    if (c.served >= c.reserved) {
      const next = Math.min(a.budget, c.reserved + leaseSize(a.budget));
      if (next <= c.served) return { ok: false, served: c.served, shown: s.shown };
      // Durable before serving: synchronous commit of the new upper bound.
      this.#s.reserve.run(next, a.tenantId, a.campaignId);
      c.reserved = next;
    }
    c.served++;
    c.dirty = true;
    s.shown++;
    s.dirty = true;
    const dkey = [a.tenantId, a.day, a.campaignId, a.venueId].join(sep);
    const d = this.#daily.get(dkey) ?? { served: 0, played: 0 };
    d.served++;
    this.#daily.set(dkey, d);
    this.#schedule();
    return { ok: true, served: c.served, shown: s.shown };
  }

  async recordPlay(p: PlayRecord): Promise<boolean> {
    const rkey = p.tenantId + sep + p.decisionId;
    if (this.#receipts.has(rkey) || this.#s.receipt.get(p.tenantId, p.decisionId) !== undefined) return false;
    this.#receipts.set(rkey, { tenantId: p.tenantId, decisionId: p.decisionId, at: p.at });
    const dkey = [p.tenantId, p.day, p.campaignId, p.venueId].join(sep);
    const d = this.#daily.get(dkey) ?? { served: 0, played: 0 };
    d.played++;
    this.#daily.set(dkey, d);
    this.#schedule();
    return true;
  }

  async report(tenantId: string, f: ReportFilter): Promise<ReportRow[]> {
    await this.flush();
    const c = f.campaignId ?? null;
    const v = f.venueId ?? null;
    return (
      this.#s.report.all(tenantId, f.from, f.to, c, c, v, v) as {
        day: string;
        campaign_id: string;
        venue_id: string;
        served: number;
        played: number;
      }[]
    ).map((r) => ({ day: r.day, campaignId: r.campaign_id, venueId: r.venue_id, served: r.served, played: r.played }));
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushNow();
    }, FLUSH_MS);
    this.#timer.unref();
  }

  #flushNow(): void {
    if (!this.#db.open) return;
    const now = Date.now();
    // Counters are committed without waiting for the disk (WAL, synchronous = NORMAL, for this
    // transaction only: nothing else runs on this connection until it is restored): a process
    // crash keeps them, a power cut may lose the last moments of report and per-screen counts.
    // Budgets do not depend on it: leases are committed with the connection's full durability.
    withoutWaitingForDisk(this.#db, () => this.#flushCounters(now));
  }

  #flushCounters(now: number): void {
    this.#db.transaction(() => {
      for (const [key, c] of this.#campaigns) {
        if (!c.dirty) continue;
        const [tenantId, campaignId] = key.split(sep) as [string, string];
        this.#s.writeServed.run(c.served, tenantId, campaignId);
        c.dirty = false;
      }
      for (const [key, s] of this.#screens) {
        if (s.dirty) {
          const [tenantId, placementId, campaignId, windowStart] = key.split(sep) as [string, string, string, string];
          this.#s.writeScreen.run(tenantId, placementId, campaignId, Number(windowStart), s.shown);
          s.dirty = false;
        } else if (now - s.touched > KEEP_SCREEN_MS) this.#screens.delete(key);
      }
      for (const [key, d] of this.#daily) {
        const [tenantId, day, campaignId, venueId] = key.split(sep) as [string, string, string, string];
        this.#s.addDaily.run(tenantId, day, campaignId, venueId, d.served, d.played);
      }
      this.#daily.clear();
      for (const r of this.#receipts.values()) this.#s.addReceipt.run(r.tenantId, r.decisionId, r.at);
      this.#receipts.clear();
    })();
  }

  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushNow();
  }

  async purge(options: { receiptsBefore: number; windowsBefore: number }): Promise<void> {
    await this.flush();
    this.#s.purgeReceipts.run(options.receiptsBefore);
    this.#s.purgeScreens.run(options.windowsBefore);
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.#db.open) return;
    // A clean stop returns unused leases.
    this.#db.transaction(() => {
      for (const key of this.#campaigns.keys()) {
        const [tenantId, campaignId] = key.split(sep) as [string, string];
        this.#s.release.run(tenantId, campaignId);
      }
    })();
    this.#campaigns.clear();
    this.#screens.clear();
  }
}

interface PlacementRow {
  config: string;
  key_id: string | null;
}

export const placementFromRow = (r: PlacementRow): StoredPlacement => ({
  ...(JSON.parse(r.config) as AdPlacement),
  keyId: r.key_id,
});

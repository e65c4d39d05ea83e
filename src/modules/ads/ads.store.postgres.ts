import type { AdPlacement, Campaign, CategoryRelation, Venue } from '../../core/ads/types.ts';
import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import { placementFromRow } from './ads.store.sqlite.ts';
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

/**
 * The production store, shared by several stateless nodes. Every impression
 * is one short transaction of conditional updates — the campaign's counter
 * (`served < allowance`), then the screen's window (`shown < cap`), then the
 * day's report — so two nodes can never both take the last impression of a
 * budget or of a cap: the row lock of the first UPDATE orders them, and the
 * second re-reads the committed count.
 */
export class PostgresAdStore implements AdStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async #put(table: string, tenantId: string, id: string, value: unknown, updatedAt: number): Promise<boolean> {
    const { rows } = await this.#pool.query(
      `INSERT INTO ${table} (tenant_id, id, config, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
       RETURNING (xmax = 0) AS created`,
      [tenantId, id, JSON.stringify(value), updatedAt],
    );
    return rows[0]?.created === true;
  }
  async #find<T>(table: string, tenantId: string, id: string): Promise<T | undefined> {
    const { rows } = await this.#pool.query(`SELECT config FROM ${table} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    return rows[0] ? (JSON.parse(rows[0].config) as T) : undefined;
  }
  async #list<T>(table: string, tenantId: string): Promise<T[]> {
    const { rows } = await this.#pool.query(`SELECT config FROM ${table} WHERE tenant_id = $1 ORDER BY id`, [tenantId]);
    return rows.map((r) => JSON.parse(r.config) as T);
  }
  async #delete(table: string, tenantId: string, id: string): Promise<boolean> {
    const r = await this.#pool.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return r.rowCount === 1;
  }

  putVenue(tenantId: string, venue: Venue): Promise<boolean> {
    return this.#put('ad_venues', tenantId, venue.id, venue, venue.updatedAt);
  }
  findVenue(tenantId: string, id: string): Promise<Venue | undefined> {
    return this.#find('ad_venues', tenantId, id);
  }
  listVenues(tenantId: string): Promise<Venue[]> {
    return this.#list('ad_venues', tenantId);
  }
  deleteVenue(tenantId: string, id: string): Promise<boolean> {
    return this.#delete('ad_venues', tenantId, id);
  }

  async putCampaign(tenantId: string, campaign: Campaign): Promise<boolean> {
    await this.#pool.query(
      'INSERT INTO ad_campaign_counters (tenant_id, campaign_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [tenantId, campaign.id],
    );
    return this.#put('ad_campaigns', tenantId, campaign.id, campaign, campaign.updatedAt);
  }
  findCampaign(tenantId: string, id: string): Promise<Campaign | undefined> {
    return this.#find('ad_campaigns', tenantId, id);
  }
  listCampaigns(tenantId: string): Promise<Campaign[]> {
    return this.#list('ad_campaigns', tenantId);
  }
  deleteCampaign(tenantId: string, id: string): Promise<boolean> {
    return this.#delete('ad_campaigns', tenantId, id);
  }

  async putPlacement(tenantId: string, placement: AdPlacement): Promise<boolean> {
    const { rows } = await this.#pool.query(
      `INSERT INTO ad_placements (tenant_id, id, config, key_id, updated_at) VALUES ($1, $2, $3, NULL, $4)
       ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
       RETURNING (xmax = 0) AS created`,
      [tenantId, placement.id, JSON.stringify(placement), placement.updatedAt],
    );
    return rows[0]?.created === true;
  }
  async findPlacement(tenantId: string, id: string): Promise<StoredPlacement | undefined> {
    const { rows } = await this.#pool.query(
      'SELECT config, key_id FROM ad_placements WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return rows[0] && placementFromRow(rows[0]);
  }
  async listPlacements(tenantId: string): Promise<StoredPlacement[]> {
    const { rows } = await this.#pool.query(
      'SELECT config, key_id FROM ad_placements WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    return rows.map(placementFromRow);
  }
  deletePlacement(tenantId: string, id: string): Promise<boolean> {
    return this.#delete('ad_placements', tenantId, id);
  }
  async bindKey(tenantId: string, placementId: string, keyId: string): Promise<string | null> {
    return pgTransaction(this.#pool, async (client) => {
      const { rows } = await client.query(
        'SELECT key_id FROM ad_placements WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, placementId],
      );
      await client.query('UPDATE ad_placements SET key_id = $1 WHERE tenant_id = $2 AND id = $3', [
        keyId,
        tenantId,
        placementId,
      ]);
      return (rows[0]?.key_id as string | null | undefined) ?? null;
    });
  }

  async replaceRelations(
    tenantId: string,
    relations: readonly CategoryRelation[],
    source: RelationSource,
  ): Promise<void> {
    const table = RELATION_TABLES[source];
    await pgTransaction(this.#pool, async (client) => {
      await client.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
      if (relations.length === 0) return;
      await client.query(
        `INSERT INTO ${table} (tenant_id, from_category, to_category, weight)
         SELECT $1, f, t, w FROM unnest($2::text[], $3::text[], $4::float8[]) AS x(f, t, w)
         ON CONFLICT (tenant_id, from_category, to_category) DO UPDATE SET weight = excluded.weight`,
        [tenantId, relations.map((r) => r.from), relations.map((r) => r.to), relations.map((r) => r.weight)],
      );
    });
  }
  async listRelations(tenantId: string, source: RelationSource): Promise<CategoryRelation[]> {
    const { rows } = await this.#pool.query(
      `SELECT from_category, to_category, weight FROM ${RELATION_TABLES[source]} WHERE tenant_id = $1 ORDER BY from_category, to_category`,
      [tenantId],
    );
    return rows.map((r) => ({ from: r.from_category, to: r.to_category, weight: Number(r.weight) }));
  }

  async servedCounts(tenantId: string): Promise<Map<string, number>> {
    const { rows } = await this.#pool.query(
      'SELECT campaign_id, served FROM ad_campaign_counters WHERE tenant_id = $1',
      [tenantId],
    );
    return new Map(rows.map((r) => [r.campaign_id as string, Number(r.served)]));
  }

  async tryServe(a: ServeAttempt): Promise<ServeResult> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const c = await client.query(
        `UPDATE ad_campaign_counters SET served = served + 1, reserved = served + 1
         WHERE tenant_id = $1 AND campaign_id = $2 AND served < $3 RETURNING served`,
        [a.tenantId, a.campaignId, Math.min(a.allowance, a.budget)],
      );
      if (c.rowCount !== 1) {
        await client.query('ROLLBACK');
        return { ok: false, served: Math.min(a.allowance, a.budget), shown: 0 };
      }
      const s = await client.query(
        `INSERT INTO ad_screen_counters (tenant_id, placement_id, campaign_id, window_start, shown)
         VALUES ($1, $2, $3, $4, 1)
         ON CONFLICT (tenant_id, placement_id, campaign_id, window_start)
         DO UPDATE SET shown = ad_screen_counters.shown + 1 WHERE ad_screen_counters.shown < $5
         RETURNING shown`,
        [a.tenantId, a.placementId, a.campaignId, a.windowStart, a.capLimit],
      );
      if (s.rowCount !== 1 || a.capLimit < 1) {
        await client.query('ROLLBACK');
        return { ok: false, served: Number(c.rows[0].served) - 1, shown: a.capLimit };
      }
      await client.query(
        `INSERT INTO ad_daily (tenant_id, day, campaign_id, venue_id, served, played) VALUES ($1, $2, $3, $4, 1, 0)
         ON CONFLICT (tenant_id, day, campaign_id, venue_id) DO UPDATE SET served = ad_daily.served + 1`,
        [a.tenantId, a.day, a.campaignId, a.venueId],
      );
      await client.query('COMMIT');
      return { ok: true, served: Number(c.rows[0].served), shown: Number(s.rows[0].shown) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async recordPlay(p: PlayRecord): Promise<boolean> {
    // One statement: the receipt and the count move together, and only for a first report.
    const { rows } = await this.#pool.query(
      `WITH r AS (
         INSERT INTO ad_play_receipts (tenant_id, decision_id, at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1
       )
       INSERT INTO ad_daily (tenant_id, day, campaign_id, venue_id, served, played)
       SELECT $1, $4, $5, $6, 0, 1 FROM r
       ON CONFLICT (tenant_id, day, campaign_id, venue_id) DO UPDATE SET played = ad_daily.played + 1
       RETURNING 1 AS counted`,
      [p.tenantId, p.decisionId, p.at, p.day, p.campaignId, p.venueId],
    );
    return rows.length === 1;
  }

  async report(tenantId: string, f: ReportFilter): Promise<ReportRow[]> {
    const { rows } = await this.#pool.query(
      `SELECT day, campaign_id, venue_id, served, played FROM ad_daily
       WHERE tenant_id = $1 AND day >= $2 AND day <= $3
         AND ($4::text IS NULL OR campaign_id = $4) AND ($5::text IS NULL OR venue_id = $5)
       ORDER BY day, campaign_id, venue_id`,
      [tenantId, f.from, f.to, f.campaignId ?? null, f.venueId ?? null],
    );
    return rows.map((r) => ({
      day: r.day,
      campaignId: r.campaign_id,
      venueId: r.venue_id,
      served: Number(r.served),
      played: Number(r.played),
    }));
  }

  async purge(options: { receiptsBefore: number; windowsBefore: number }): Promise<void> {
    await this.#pool.query('DELETE FROM ad_play_receipts WHERE at < $1', [options.receiptsBefore]);
    await this.#pool.query('DELETE FROM ad_screen_counters WHERE window_start < $1', [options.windowsBefore]);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

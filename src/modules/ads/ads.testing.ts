import { after, before } from 'node:test';
import type { Services } from '../../platform/container.ts';
import type { Db } from '../../platform/db/database.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, testApp } from '../../platform/testing-app.ts';

/** Fixtures for ads tests: a jeweller's with a screen, wedding campaigns and an unrelated one. */
export const JEWELLER = {
  name: 'Maison Or',
  kind: 'jeweller',
  categories: ['jewellery/rings', 'jewellery/necklaces'],
  clientele: ['couples'],
  region: 'FR-75',
  timeZone: 'Europe/Paris',
  waitingMoments: ['queue'],
  locale: 'fr',
  houseContent: [{ headline: 'Nos bagues de fiançailles', body: 'Demandez à essayer.' }],
};

export const flight = (now: number, days = 30) => ({
  start: new Date(now - 24 * 3600_000).toISOString(),
  end: new Date(now + days * 24 * 3600_000).toISOString(),
});

export function weddingCampaign(
  id: string,
  category: string,
  now: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: id,
    advertiser: `${id} & Co`,
    categories: [category],
    creatives: [
      { id: `${id}-a`, headline: `${id}: for your big day`, background: '#553366', durationSeconds: 10 },
      { id: `${id}-b`, headline: `${id}: book now`, durationSeconds: 10 },
    ],
    flight: flight(now),
    budget: { impressions: 100_000 },
    perScreen: { limit: 100, windowMinutes: 60 },
    ...extra,
  };
}

/** Creates the jeweller's venue, a screen placement and the given campaigns over HTTP; throws on any failure. */
export async function seedJeweller(
  app: App,
  shop: TestTenant,
  campaigns: Record<string, Record<string, unknown>>,
  placementId = 'counter-screen',
): Promise<void> {
  const put = async (url: string, payload: unknown) => {
    const res = await app.inject({ method: 'PUT', url, headers: bearer(shop.server), payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  };
  await put('/v1/ads/venues/maison-or', JEWELLER);
  await put(`/v1/ads/placements/${placementId}`, { kind: 'screen', venueId: 'maison-or', waitingMoment: 'queue' });
  for (const [id, body] of Object.entries(campaigns)) await put(`/v1/ads/campaigns/${id}`, body);
}

/** POSTs a JSON body with a key, as a screen, a web page or a backend would. */
export const postAs = (app: App, key: string, url: string, payload: object) =>
  app.inject({ method: 'POST', url, headers: bearer(key), payload });

/** Builds the app on the suite's database before its tests and closes it (and the services) after. */
export function useTestApp(getDb: () => Db, now: () => number): { readonly app: App; readonly services: Services } {
  const handles = {} as { app: App; services: Services };
  before(async () => {
    Object.assign(handles, await testApp(getDb(), { now }));
  });
  after(async () => {
    await handles.app.close();
    await handles.services.decisions.close();
    await handles.services.ads.close();
  });
  return handles;
}

import { seededRandom } from '../../core/decision/random.ts';
import type { Purpose } from '../../core/purposes.ts';
import type { Services } from '../../platform/container.ts';

/**
 * The demo shop: a small realistic catalog (clothing, pharmacy and baby,
 * pets, groceries), a crowd of background shoppers whose baskets teach the
 * models, and five named shoppers who show the guardrails:
 *
 * - `alice` bought a wool coat → gloves, hats, scarves ("Because you bought…"), never cat food;
 * - `bruno` looked at chinos and did not buy → retargeted a few times, fading, then never; not with GPC;
 * - `chloe` bought unscented lotion, vitamins and cotton wool → never pregnancy or baby products;
 * - `dana` declared an interest in baby products and consented explicitly → she gets them, said so;
 * - `emma` gave no consent → contextual and popular items only.
 *
 * Idempotent: a second run changes nothing (event ids are fixed; items are upserted).
 */
export const DEMO_SHOPPERS = ['alice', 'bruno', 'chloe', 'dana', 'emma'] as const;
export const DEMO_POLICY_VERSION = 'demo-1';

const ITEMS: [id: string, title: string, category: string, price: number][] = [
  ['coat-wool', 'Wool coat', 'clothing/coats', 189],
  ['coat-parka', 'Down parka', 'clothing/coats', 229],
  ['coat-rain', 'Rain coat', 'clothing/coats', 99],
  ['gloves-leather', 'Leather gloves', 'clothing/gloves', 49],
  ['gloves-knit', 'Knitted gloves', 'clothing/gloves', 19],
  ['hat-beanie', 'Merino beanie', 'clothing/hats', 25],
  ['hat-trapper', 'Trapper hat', 'clothing/hats', 39],
  ['scarf-cashmere', 'Cashmere scarf', 'clothing/scarves', 79],
  ['scarf-wool', 'Wool scarf', 'clothing/scarves', 29],
  ['trousers-chino', 'Slim chinos', 'clothing/trousers', 59],
  ['trousers-cord', 'Corduroy trousers', 'clothing/trousers', 69],
  ['belt-leather', 'Leather belt', 'clothing/belts', 35],
  ['lotion-unscented', 'Unscented body lotion', 'beauty/skin-care', 9],
  ['lotion-aloe', 'Aloe vera lotion', 'beauty/skin-care', 8],
  ['cotton-wool', 'Cotton wool balls', 'beauty/cotton', 3],
  ['hand-cream', 'Hand cream', 'beauty/skin-care', 6],
  ['vitamins-multi', 'Multivitamins', 'health/vitamins', 12],
  ['vitamins-d', 'Vitamin D drops', 'health/vitamins', 9],
  ['plasters', 'Plasters', 'pharmacy/first-aid', 4],
  ['prenatal-vitamins', 'Prenatal vitamins', 'health/prenatal', 15],
  ['pregnancy-test', 'Pregnancy test', 'health/pregnancy-tests', 11],
  ['nappies-newborn', 'Newborn nappies', 'baby/nappies', 14],
  ['baby-wipes', 'Baby wipes', 'baby/care', 4],
  ['baby-lotion', 'Baby lotion', 'baby/care', 7],
  ['baby-bottle', 'Baby bottle', 'baby/feeding', 12],
  ['cat-food-salmon', 'Cat food, salmon', 'pets/cat-food', 6],
  ['cat-food-chicken', 'Cat food, chicken', 'pets/cat-food', 6],
  ['cat-litter', 'Cat litter', 'pets/cat-care', 9],
  ['dog-food', 'Dog food', 'pets/dog-food', 18],
  ['tea-earl-grey', 'Earl Grey tea', 'grocery/tea', 4],
  ['coffee-beans', 'Coffee beans', 'grocery/coffee', 11],
  ['shortbread', 'Shortbread biscuits', 'grocery/biscuits', 3],
  ['honey', 'Wildflower honey', 'grocery/spreads', 7],
];

/** Baskets the background shoppers buy, each repeated by several people, with the aisle they are bought in. */
const BASKET_TYPES: { aisle: string; items: string[] }[] = [
  { aisle: 'clothing', items: ['coat-wool', 'gloves-leather', 'scarf-cashmere'] },
  { aisle: 'clothing', items: ['coat-parka', 'hat-trapper', 'gloves-knit'] },
  { aisle: 'clothing', items: ['coat-wool', 'hat-beanie', 'scarf-wool'] },
  { aisle: 'clothing', items: ['coat-rain', 'hat-beanie'] },
  { aisle: 'clothing', items: ['trousers-chino', 'belt-leather'] },
  { aisle: 'clothing', items: ['trousers-cord', 'belt-leather'] },
  { aisle: 'pets', items: ['cat-food-salmon', 'cat-food-chicken', 'cat-litter'] },
  { aisle: 'pets', items: ['dog-food'] },
  { aisle: 'groceries', items: ['tea-earl-grey', 'shortbread', 'honey'] },
  { aisle: 'groceries', items: ['coffee-beans', 'shortbread'] },
  // The association that makes naive recommenders creepy: these baskets sell together.
  { aisle: 'pharmacy', items: ['lotion-unscented', 'cotton-wool', 'nappies-newborn', 'baby-wipes'] },
  { aisle: 'pharmacy', items: ['vitamins-multi', 'prenatal-vitamins', 'lotion-unscented'] },
  { aisle: 'pharmacy', items: ['lotion-aloe', 'hand-cream'] },
  { aisle: 'pharmacy', items: ['plasters', 'hand-cream'] },
];

const DAY = 24 * 3600 * 1000;
const ALL_GRANTED: Purpose[] = ['personalization', 'retargeting', 'marketing_messages', 'measurement'];

/** Seeds the demo shop into an existing tenant. */
export async function seedDemoShop(services: Services, tenantId: string): Promise<void> {
  const now = services.now();
  await services.catalog.bulkUpsert(
    tenantId,
    ITEMS.map(([id, title, category, price]) => ({
      id,
      title,
      category,
      price,
      currency: 'EUR',
      attributes: { stock: 25 },
    })),
  );
  const policies = await services.consent.listPolicies(tenantId);
  if (!policies.some((p) => p.version === DEMO_POLICY_VERSION)) {
    await services.consent.registerPolicy(tenantId, {
      version: DEMO_POLICY_VERSION,
      noticeText:
        'Demo shop: we use your purchases and the items you look at to recommend products (personalization), may show you items you looked at again (retargeting), and send you offers by e-mail (marketing messages). Sensitive categories are used only if you tell us your interest and agree separately.',
    });
  }
  const consent = async (subjectId: string, purposes: Purpose[], status: 'granted' | 'denied' = 'granted') =>
    services.consent.record(tenantId, {
      subjectId,
      policyVersion: DEMO_POLICY_VERSION,
      choices: purposes.map((purpose) => ({ purpose, status })),
      source: 'demo-seed',
    });

  const events: Record<string, unknown>[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  const buy = (subjectId: string, itemId: string, at: number, n: number) =>
    events.push({
      eventId: `demo-${subjectId}-${itemId}-${n}`,
      subjectId,
      type: 'purchase',
      itemId,
      occurredAt: iso(at),
      quantity: 1,
    });
  const view = (subjectId: string, itemId: string, at: number, n: number) =>
    events.push({ eventId: `demo-${subjectId}-${itemId}-v${n}`, subjectId, type: 'view', itemId, occurredAt: iso(at) });

  // Background shoppers: each buys two or three different basket types over the last weeks,
  // picked by a generator seeded with the shopper (the same shop on every start): the first
  // anywhere, the others mostly in the same aisle, as people shop. Every type is bought, the
  // lotion with the baby products included (the association the guardrails are shown against).
  for (let s = 0; s < 90; s++) {
    const subjectId = `shopper-${String(s).padStart(3, '0')}`;
    await consent(subjectId, ['personalization']);
    const random = seededRandom(subjectId);
    const left = [...BASKET_TYPES];
    let aisle: string | undefined;
    for (let b = 0; b < 2 + (s % 2); b++) {
      const sameAisle = left.filter((t) => t.aisle === aisle);
      const from = sameAisle.length > 0 && random() < 0.9 ? sameAisle : left;
      const type = from[Math.floor(random() * from.length)] as (typeof BASKET_TYPES)[number];
      left.splice(left.indexOf(type), 1);
      aisle ??= type.aisle;
      const at = now - ((s * 13 + b * 29) % 40) * DAY - b * 3600 * 1000 - 3600 * 1000;
      type.items.forEach((itemId) => {
        buy(subjectId, itemId, at, b);
      });
    }
  }

  await consent('alice', ALL_GRANTED);
  buy('alice', 'coat-wool', now - 2 * DAY, 0);

  await consent('bruno', ALL_GRANTED);
  view('bruno', 'trousers-chino', now - DAY, 0);
  view('bruno', 'trousers-chino', now - DAY + 60000, 1);

  await consent('chloe', ALL_GRANTED);
  buy('chloe', 'lotion-unscented', now - 9 * DAY, 0);
  buy('chloe', 'vitamins-multi', now - 6 * DAY, 0);
  buy('chloe', 'cotton-wool', now - 3 * DAY, 0);

  await consent('dana', [...ALL_GRANTED, 'sensitive:pregnancy_baby']);
  buy('dana', 'lotion-unscented', now - 4 * DAY, 0);

  await consent('emma', ['personalization', 'retargeting'], 'denied');
  buy('emma', 'coat-parka', now - 5 * DAY, 0);

  for (let i = 0; i < events.length; i += 1000) {
    await services.events.ingest(tenantId, events.slice(i, i + 1000), {
      subjectFor: (requested) => requested as string,
      defaultSource: 'import',
    });
  }
  await services.events.putPreferences(tenantId, 'dana', { interests: { categories: ['baby'] } }, 'web');
  await services.events.putPreferences(
    tenantId,
    'alice',
    { channels: ['email'], quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' }, locale: 'en' },
    'web',
  );
  await services.events.putPreferences(tenantId, 'chloe', { locale: 'fr' }, 'web');
  services.decisions.invalidate(tenantId);
}

/**
 * Ad decision benchmark: the real server (`pertinent serve` in a child
 * process) on a fresh store with 24 venues of 12 kinds, 200 screens (each with
 * its own bound key) and 40 campaigns; screens ask POST /v1/ads/decisions over
 * keep-alive HTTP on loopback from concurrent connections. Every answer is a
 * full decision: eligibility, relevance, pacing, rotation, the decision
 * pipeline, and the impression committed against the budget and the screen's
 * cap (SQLite: leased in-memory counters; PostgreSQL: one transaction each).
 *
 *   node --import tsx bench/ads/run.ts [--store sqlite|postgres|both] [--seconds 20]
 *        [--concurrency 32] [--label NAME]
 *
 * PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * in a schema of its own, dropped at the end. Results: bench/results/ads.json and ads.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freshServerStore, withServices } from '../../src/modules/events/events.testing.ts';
import { processTreeCpuMs, startChildServer } from '../../src/platform/child-server.ts';
import { createTestTenant } from '../../src/platform/testing-app.ts';
import { benchOptions } from '../options.ts';

const values = benchOptions(
  {
    store: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    label: { type: 'string', default: 'latest' },
    /** Server processes (`serve --workers`). */
    workers: { type: 'string', default: '1' },
    /** Write a CPU profile of the server to this directory (not recorded in the results). */
    profile: { type: 'string' },
    /** Send GET /healthz instead: the floor of the HTTP stack on this machine, for comparison. */
    baseline: { type: 'boolean', default: false },
  },
  'node --import tsx bench/ads/run.ts [--store sqlite|postgres|both] [--seconds 20] [--concurrency 32] [--workers 1] [--label NAME]',
);
const stores = values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store as 'sqlite' | 'postgres'];
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PG_URL = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_SECONDS = 3;

const KINDS: Record<string, string[]> = {
  jeweller: ['wedding/photography', 'wedding/bridal-wear', 'wedding/venues', 'events/proposals'],
  bridal_shop: ['wedding/jewellery', 'wedding/flowers', 'beauty/hair-salons'],
  florist: ['gifts/chocolates', 'gifts/cards', 'home/vases'],
  bakery: ['food/cheese', 'food/coffee', 'food/jams'],
  restaurant: ['culture/theatre', 'culture/cinema', 'transport/taxis'],
  hair_salon: ['beauty/cosmetics', 'fashion/accessories', 'beauty/nail-salons'],
  clothing_store: ['fashion/shoes', 'fashion/tailoring'],
  bookshop: ['culture/museums', 'education/language-courses'],
  travel_agency: ['travel/luggage', 'travel/guides', 'travel/car-rental'],
  garden_centre: ['home/outdoor-furniture', 'services/landscaping'],
  wine_shop: ['food/delicatessen', 'culture/wine-tastings'],
  hotel: ['travel/tours', 'food/restaurants'],
};

interface Result {
  label: string;
  store: 'sqlite' | 'postgres';
  date: string;
  command: string;
  seconds: number;
  concurrency: number;
  /** Server processes (absent in results recorded before `--workers` existed: 1). */
  workers?: number;
  decisions: number;
  decisionsPerSecond: number;
  adverts: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** CPU time of the server process per 1,000 decisions: less sensitive than decisions/s to other load on the machine. */
  serverCpuMsPer1000: number;
  load: [number, number];
  machine: { cpu: string; cores: number; memoryGb: number; node: string; postgres?: string };
}

async function seed(env: Record<string, string>): Promise<{ keys: { placementId: string; key: string }[] }> {
  return withServices(env, async (services) => {
    const shop = await createTestTenant(services, 'bench-ads');
    const now = Date.now();
    const flight = {
      start: new Date(now - 86_400_000).toISOString(),
      end: new Date(now + 30 * 86_400_000).toISOString(),
    };
    const keys: { placementId: string; key: string }[] = [];
    const kinds = Object.keys(KINDS);
    for (let v = 0; v < 24; v++) {
      const kind = kinds[v % kinds.length] as string;
      await services.ads.putVenue(shop.id, `venue-${v}`, {
        name: `Venue ${v}`,
        kind,
        categories: [`${kind}/own`],
        region: v % 2 ? 'FR-75' : 'IT-MI',
        timeZone: v % 2 ? 'Europe/Paris' : 'Europe/Rome',
        waitingMoments: ['queue'],
        locale: v % 2 ? 'fr' : 'it',
        houseContent: [{ headline: `Welcome to venue ${v}` }],
      });
    }
    for (let s = 0; s < 200; s++) {
      const placementId = `screen-${s}`;
      await services.ads.putPlacement(shop.id, placementId, { kind: 'screen', venueId: `venue-${s % 24}` });
      const { secret } = await services.ads.issueScreenKey(shop.id, placementId);
      keys.push({ placementId, key: secret });
    }
    const categories = Object.values(KINDS).flat();
    for (let c = 0; c < 40; c++) {
      await services.ads.putCampaign(shop.id, `campaign-${c}`, {
        name: `Campaign ${c}`,
        advertiser: `Advertiser ${c}`,
        categories: [categories[c % categories.length] as string],
        creatives: [
          { id: 'a', headline: `Campaign ${c}, creative A`, durationSeconds: 10 },
          { id: 'b', headline: `Campaign ${c}, creative B`, durationSeconds: 10 },
        ],
        targeting: c % 5 === 0 ? { regions: ['FR'] } : {},
        flight,
        // Budgets and caps large enough that every decision commits an impression (the expensive path).
        budget: { impressions: 1_000_000_000 },
        perScreen: { limit: 10_000, windowMinutes: 60 },
      });
    }
    return { keys };
  });
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function runOne(store: 'sqlite' | 'postgres'): Promise<Result> {
  const fresh = await freshServerStore(store, store === 'postgres' ? PG_URL : undefined);
  try {
    const { keys } = await seed(fresh.env);
    const server = await startChildServer(
      { ...fresh.env, PERTINENT_WORKERS: String(values.workers) },
      // A shared, busy machine can take long to start a server.
      values.profile
        ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`], timeoutMs: 120_000 }
        : { timeoutMs: 120_000 },
    );
    try {
      const url = new URL(server.url);
      const requests = keys.map((k) => {
        if (values.baseline) return Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
        const body = JSON.stringify({ placementId: k.placementId });
        return Buffer.from(
          `POST /v1/ads/decisions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
            `Authorization: Bearer ${k.key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
      const latencies: number[] = [];
      let decisions = 0;
      let adverts = 0;
      let errors = 0;
      let next = 0;
      let timing = false;
      let stopAt = Date.now() + WARMUP_SECONDS * 1000;
      const connections = Array.from({ length: CONCURRENCY }, () => client(url.hostname, Number(url.port)));
      let w = 0;
      const worker = async () => {
        const one = connections[w++ % CONCURRENCY] as Client;
        while (Date.now() < stopAt) {
          const t = process.hrtime.bigint();
          const r = await one.send(requests[next++ % requests.length] as Buffer);
          if (!timing) continue;
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          decisions++;
          if (r.status !== 200) errors++;
          else if (r.advert) adverts++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const load0 = loadavg()[0] ?? 0;
      const cpu0 = processTreeCpuMs(server.process.pid);
      timing = true;
      const started = process.hrtime.bigint();
      stopAt = Date.now() + SECONDS * 1000;
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      for (const c of connections) c.close();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = processTreeCpuMs(server.process.pid) - cpu0;
      const sorted = Float64Array.from(latencies).sort();
      let pgVersion: string | undefined;
      if (store === 'postgres') {
        try {
          pgVersion = execFileSync('psql', [PG_URL, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim();
        } catch {
          pgVersion = undefined;
        }
      }
      return {
        label: values.label as string,
        store,
        date: new Date().toISOString(),
        command: `node --import tsx bench/ads/run.ts --store ${store} --seconds ${SECONDS} --concurrency ${CONCURRENCY} --workers ${values.workers} --label ${values.label}${values.baseline ? ' --baseline' : ''}`,
        seconds: Math.round(elapsed * 10) / 10,
        concurrency: CONCURRENCY,
        workers: Number(values.workers),
        decisions,
        decisionsPerSecond: Math.round(decisions / elapsed),
        adverts,
        errors,
        latencyMs: {
          p50: round(percentile(sorted, 0.5)),
          p90: round(percentile(sorted, 0.9)),
          p99: round(percentile(sorted, 0.99)),
          max: round(sorted[sorted.length - 1] ?? 0),
        },
        serverCpuMsPer1000: round((cpu * 1000) / Math.max(decisions, 1)),
        load: [round(load0), round(loadavg()[0] ?? 0)],
        machine: {
          cpu: cpus()[0]?.model ?? 'unknown',
          cores: cpus().length,
          memoryGb: Math.round(totalmem() / 2 ** 30),
          node: process.version,
          ...(pgVersion === undefined ? {} : { postgres: pgVersion }),
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    await fresh.cleanup();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

interface Client {
  send(request: Buffer): Promise<{ status: number; advert: boolean }>;
  close(): void;
}

/**
 * A minimal HTTP/1.1 keep-alive client on one socket (like wrk): pre-built
 * requests, responses framed by Content-Length. It spends far less CPU per
 * request than Node's http client, which matters when client and server share
 * two cores.
 */
function client(host: string, port: number): Client {
  const socket = connect({ host, port, noDelay: true });
  const ADVERT = Buffer.from('"kind":"advert"');
  let buffered: Buffer = Buffer.alloc(0);
  let pending: ((r: { status: number; advert: boolean }) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : (Buffer.concat([buffered, chunk]) as Buffer);
    const head = buffered.indexOf('\r\n\r\n');
    if (head < 0) return;
    const headers = buffered.subarray(0, head).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    if (buffered.length < head + 4 + length) return;
    const body = buffered.subarray(head + 4, head + 4 + length);
    buffered = buffered.subarray(head + 4 + length);
    const resolve = pending;
    pending = undefined;
    resolve?.({ status: Number(headers.slice(9, 12)), advert: body.indexOf(ADVERT) >= 0 });
  });
  socket.on('error', (e) => failed?.(e));
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        pending = resolve;
        failed = reject;
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

/** User + system CPU time of a process so far, in ms (Linux /proc; 0 elsewhere). */
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const jsonPath = `${resultsDir}ads.json`;
const all: Result[] = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Result[]) : [];
for (const store of stores) {
  const r = await runOne(store);
  console.log(
    `${store}: ${r.decisionsPerSecond.toLocaleString('en')} decisions/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ` +
      `${r.adverts}/${r.decisions} adverts, ${r.errors} errors, server CPU ${r.serverCpuMsPer1000} ms per 1,000, load ${r.load.join(' → ')}`,
  );
  const i = all.findIndex((x) => x.label === r.label && x.store === r.store);
  if (i >= 0) all[i] = r;
  else all.push(r);
}
writeFileSync(jsonPath, `${JSON.stringify(all, null, 2)}\n`);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
const m = all[all.length - 1]?.machine;
const md = [
  '# Ad decision benchmark',
  '',
  'The real server (`pertinent serve`, child process) on a fresh store: 24 venues of 12 kinds, 200 screens',
  'each with its own bound key, 40 campaigns. Screens ask `POST /v1/ads/decisions` over keep-alive HTTP on',
  'loopback (a minimal keep-alive HTTP/1.1 client, wrk-style, in the same machine: client and server share the',
  '2 cores). Every answer is a',
  'full decision — eligibility, relevance, pacing, rotation, the decision pipeline, and the impression',
  "committed against the campaign's budget and the screen's cap (budgets and caps are set high so that",
  'every decision commits, the expensive path). 3 s of warm-up are not timed. Target: ≥ 5,000 decisions/s',
  'with p99 < 20 ms.',
  '',
  `Machine: ${m?.cpu ?? '?'}, ${m?.cores ?? '?'} cores, ${m?.memoryGb ?? '?'} GB, Node ${m?.node ?? '?'}. Written at commit ${commit}.`,
  '',
  '| label | store | decisions/s | p50 ms | p90 ms | p99 ms | max ms | server CPU ms / 1,000 | adverts / decisions | errors | connections | server processes | load before → after | date |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|',
  ...all.map(
    (r) =>
      `| ${r.label} | ${r.store} | ${r.decisionsPerSecond.toLocaleString('en')} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.serverCpuMsPer1000 ?? '–'} | ${r.adverts.toLocaleString('en')} / ${r.decisions.toLocaleString('en')} | ${r.errors} | ${r.concurrency} | ${r.workers ?? 1} | ${r.load[0]} → ${r.load[1]} | ${r.date.slice(0, 16).replace('T', ' ')} UTC |`,
  ),
  '',
  'Commands:',
  '',
  ...all.map((r) => `    ${r.command}`),
  '',
].join('\n');
writeFileSync(`${resultsDir}ads.md`, md);

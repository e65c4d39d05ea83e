/**
 * Ingest benchmark: the real server (`pertinent serve` in a child process) on
 * a fresh store, events sent over HTTP in batches from a few concurrent
 * keep-alive connections; each batch counts once the server acknowledged it,
 * which it does only after the batch is durably committed.
 *
 *   node --import tsx bench/ingest/run.ts [--store sqlite|postgres|both] [--events N]
 *        [--batch 1000] [--concurrency 4] [--items 5000] [--label NAME]
 *        [--traffic sessions|random] [--ids ordered|random]
 *
 * Traffic: "sessions" (default) — each batch holds the events of 200 visitors
 * in the middle of a visit (5 each), drawn from 20,000 returning subjects;
 * "random" — every event of a batch from a different subject (worst case for
 * the per-subject index). Event ids: "ordered" (default; time-ordered, as
 * UUIDv7/ULID ids from an SDK) or "random" (UUIDv4: worst case for the
 * deduplication index).
 *
 * PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * the run uses a schema of its own, dropped at the end.
 * Results go to bench/results/ingest.json (every run, by label and store) and ingest.md.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freshServerStore, seedItems, storedEventIds, withServices } from '../../src/modules/events/events.testing.ts';
import { childPids, processTreeCpuMs, startChildServer } from '../../src/platform/child-server.ts';
import { createTestTenant } from '../../src/platform/testing-app.ts';
import { benchOptions } from '../options.ts';

const values = benchOptions(
  {
    store: { type: 'string', default: 'both' },
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    items: { type: 'string', default: '5000' },
    label: { type: 'string', default: 'latest' },
    traffic: { type: 'string', default: 'sessions' },
    ids: { type: 'string', default: 'ordered' },
    /** Write a CPU profile of the server to this directory (not recorded in the results). */
    profile: { type: 'string' },
  },
  'node --import tsx bench/ingest/run.ts [--store sqlite|postgres|both] [--events N] [--batch 1000] [--concurrency 4] [--items 5000] [--label NAME] [--traffic sessions|random] [--ids ordered|random] [--profile DIR]',
);
const stores = values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store as 'sqlite' | 'postgres'];
if (!stores.every((s) => s === 'sqlite' || s === 'postgres'))
  throw new Error('--store must be sqlite, postgres or both');
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const ITEMS = Number(values.items);
const PG_URL = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP_BATCHES = 10;
const TRAFFIC = values.traffic === 'random' ? 'random' : 'sessions';
const IDS = values.ids === 'random' ? 'random' : 'ordered';

interface Result {
  label: string;
  store: 'sqlite' | 'postgres';
  date: string;
  command: string;
  events: number;
  batch: number;
  concurrency: number;
  traffic: string;
  ids: string;
  seconds: number;
  eventsPerSecond: number;
  /** CPU time of the server process (all its threads) per 1,000 events: less sensitive to other load than events/s. */
  serverCpuMsPer1000: number;
  /**
   * CPU time per 1,000 events of the server's busiest thread, and the rate that
   * thread alone would allow on a core of its own: an estimate of what the
   * machine could do without other load, not a measurement.
   */
  busiestThread: { name: string; cpuMsPer1000: number; eventsPerSecondBound: number };
  /** 1-minute load average before and after the timed part (the machine is shared). */
  load: [number, number];
  batchLatencyMs: { p50: number; p90: number; p99: number; max: number };
  verifiedStored: number;
  machine: { cpu: string; cores: number; memoryGb: number; node: string; postgres?: string };
}

const TYPES = ['view', 'view', 'view', 'view', 'click', 'impression', 'impression', 'cart', 'purchase', 'search'];

/** Pre-serialized batch bodies, so that the client spends its CPU on sending, not on building JSON. */
function makeBodies(prefix: string, count: number): string[] {
  const bodies: string[] = [];
  const base = Date.now() - 3600_000;
  let n = 0;
  for (let b = 0; b < count; b++) {
    const events = [];
    for (let i = 0; i < BATCH; i++, n++) {
      const type = TYPES[n % TYPES.length] as string;
      const subject = TRAFFIC === 'random' ? n * 7919 : (b * 200 + (i % 200)) * 7919;
      const e: Record<string, unknown> = {
        eventId: IDS === 'random' ? randomUUID() : `${prefix}${String(n).padStart(12, '0')}`,
        subjectId: `subject-${subject % 20000}`,
        type,
        occurredAt: new Date(base + n).toISOString(),
        context: { placement: 'home', page: '/products' },
      };
      if (type === 'search') e.query = 'wool scarf';
      else e.itemId = `item-${(n * 104729) % ITEMS}`;
      if (type === 'purchase' || type === 'cart') {
        e.quantity = 1;
        e.price = 19.9;
      }
      events.push(e);
    }
    bodies.push(JSON.stringify(events));
  }
  return bodies;
}

/** User + system CPU time of the server (its primary and worker processes), in ms (Linux). */
const cpuMs = processTreeCpuMs;

/** CPU time (ms) of each thread of the server's processes, by process/thread id (Linux). */
function threadCpuMs(pid: number | undefined): Map<string, { name: string; ms: number }> {
  const threads = new Map<string, { name: string; ms: number }>();
  if (pid === undefined) return threads;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const stat = readFileSync(`/proc/${p}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        threads.set(`${p}/${tid}`, { name, ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 });
      }
    } catch {}
  }
  return threads;
}

/** 'main' for a worker process's JavaScript thread, 'primary' for the cluster's primary, else 'thread <id>'. */
function threadName(key: string, primary: number | undefined): string {
  const [pid, tid] = key.split('/');
  if (pid !== tid) return `thread ${tid}`;
  return pid === String(primary) ? 'primary' : 'main';
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function machine(): Result['machine'] {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const m: Result['machine'] = {
    cpu,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  return m;
}

async function run(store: 'sqlite' | 'postgres'): Promise<Result> {
  const fresh = await freshServerStore(store, PG_URL);
  try {
    const { tenant, postgres } = await withServices(fresh.env, async (services) => {
      const t = await createTestTenant(services, `bench-${process.pid}`);
      await seedItems(
        services.db,
        t.id,
        Array.from({ length: ITEMS }, (_, i) => `item-${i}`),
      );
      let version: string | undefined;
      if (services.db.kind === 'postgres') {
        version = (await services.db.pool.query<{ v: string }>('SHOW server_version')).rows[0]?.v;
      }
      return { tenant: t, postgres: version };
    });
    const batches = Math.ceil(EVENTS / BATCH);
    const warmup = makeBodies('w', WARMUP_BATCHES);
    const bodies = makeBodies('e', batches);
    const server = await startChildServer(
      fresh.env,
      values.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] } : {},
    );
    try {
      const url = `${server.url}/v1/events`;
      const headers = { authorization: `Bearer ${tenant.server}`, 'content-type': 'application/json' };
      const post = async (body: string) => {
        const res = await fetch(url, { method: 'POST', headers, body });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`batch refused: ${res.status} ${text.slice(0, 500)}`);
      };
      for (const body of warmup) await post(body);

      const latencies: number[] = [];
      let next = 0;
      const load0 = loadavg()[0] ?? 0;
      const cpu0 = cpuMs(server.process.pid);
      const threads0 = threadCpuMs(server.process.pid);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++] as string;
            const t0 = performance.now();
            await post(body);
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const serverCpu = cpuMs(server.process.pid) - cpu0;
      const busiest = [...threadCpuMs(server.process.pid)]
        .map(([tid, t]) => ({
          name: threadName(tid, server.process.pid),
          ms: t.ms - (threads0.get(tid)?.ms ?? 0),
        }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3);
      console.log(
        `  threads: ${busiest.map((t) => `${t.name} ${Math.round((t.ms / (bodies.length * BATCH)) * 1000 * 10) / 10} ms/1000`).join(', ')}`,
      );
      const load1 = loadavg()[0] ?? 0;
      latencies.sort((a, b) => a - b);
      const verifiedStored = await withServices(fresh.env, async (s) => (await storedEventIds(s.db, tenant.id)).length);
      const total = batches * BATCH;
      if (verifiedStored !== total + WARMUP_BATCHES * BATCH) {
        throw new Error(`expected ${total + WARMUP_BATCHES * BATCH} stored events, found ${verifiedStored}`);
      }
      const round = (x: number) => Math.round(x * 10) / 10;
      return {
        label: values.label as string,
        store,
        date: new Date().toISOString(),
        command: `node --import tsx bench/ingest/run.ts --store ${store} --events ${EVENTS} --batch ${BATCH} --concurrency ${CONCURRENCY} --items ${ITEMS} --traffic ${TRAFFIC} --ids ${IDS} --label ${values.label}`,
        events: total,
        batch: BATCH,
        concurrency: CONCURRENCY,
        traffic: TRAFFIC,
        ids: IDS,
        seconds: round(seconds),
        eventsPerSecond: Math.round(total / seconds),
        serverCpuMsPer1000: round((serverCpu / total) * 1000),
        busiestThread: {
          name: busiest[0]?.name ?? '?',
          cpuMsPer1000: round(((busiest[0]?.ms ?? Number.NaN) / total) * 1000),
          eventsPerSecondBound: Math.round(total / ((busiest[0]?.ms ?? Number.NaN) / 1000)),
        },
        load: [round(load0), round(load1)],
        batchLatencyMs: {
          p50: round(percentile(latencies, 50)),
          p90: round(percentile(latencies, 90)),
          p99: round(percentile(latencies, 99)),
          max: round(latencies[latencies.length - 1] ?? Number.NaN),
        },
        verifiedStored: total,
        machine: { ...machine(), ...(postgres === undefined ? {} : { postgres }) },
      };
    } finally {
      await server.stop();
    }
  } finally {
    await fresh.cleanup();
  }
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const jsonFile = `${resultsDir}ingest.json`;
mkdirSync(resultsDir, { recursive: true });
const previous: Result[] = existsSync(jsonFile)
  ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as { runs: Result[] }).runs
  : [];
const runs = [...previous];
for (const store of stores) {
  const result = await run(store);
  console.log(
    `${store}: ${result.eventsPerSecond.toLocaleString('en')} events/s (${result.events} events in ${result.seconds} s; batch latency p50 ${result.batchLatencyMs.p50} ms, p99 ${result.batchLatencyMs.p99} ms; server CPU ${result.serverCpuMsPer1000} ms per 1000 events, busiest thread (${result.busiestThread.name}) ${result.busiestThread.cpuMsPer1000} ms → bound ${result.busiestThread.eventsPerSecondBound.toLocaleString('en')} events/s; load ${result.load.join(' → ')})`,
  );
  const i = runs.findIndex(
    (r) => r.label === result.label && r.store === result.store && r.traffic === result.traffic && r.ids === result.ids,
  );
  if (i === -1) runs.push(result);
  else runs[i] = result;
}
if (values.profile) {
  console.log(`Profile written to ${values.profile}; results not recorded.`);
  process.exit(0);
}
writeFileSync(jsonFile, `${JSON.stringify({ runs }, null, 2)}\n`);

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
const m = machine();
const target: Record<string, number> = { sqlite: 50_000, postgres: 20_000 };
const md = `# Ingest benchmark

The real server (\`pertinent serve\`, child process) on a fresh store; a tenant, its keys and a
catalog of ${ITEMS.toLocaleString('en')} items; events sent over HTTP as JSON arrays of ${BATCH} from ${CONCURRENCY} concurrent keep-alive
connections (Node's fetch). A batch counts when the server acknowledged it (200), which it does
only after the batch is committed: SQLite in WAL with synchronous=FULL (a writer thread, batches
arriving together share one commit, each in its own savepoint); PostgreSQL one
\`INSERT … SELECT … FROM json_to_recordset($2) ON CONFLICT DO NOTHING\` per batch, synchronous_commit
on. Every event is validated (types, unknown fields, subject, item in the catalog). Client, server
and PostgreSQL share the machine. ${WARMUP_BATCHES} warm-up batches are sent first and not timed; the stored count
is checked afterwards.

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}. Written at commit ${commit}.

Runs before "quiet" shared the machine with other engineers' tests and benchmarks (1-minute load
average 5 to 18 on 2 cores), so their events/s mostly measure how much CPU the run got. "server CPU" is the server process's CPU time (all threads) per 1,000 events; "busiest thread"
is the CPU time of its busiest thread (the SQLite writer; the main thread on PostgreSQL) and the
rate that thread alone would allow on a core of its own — an estimate of an unloaded machine, not a
measurement. PostgreSQL's own CPU time is not counted.

Traffic: "sessions" — each batch holds the events of 200 visitors in the middle of a visit;
"random" — every event of a batch from a different one of 20,000 subjects (the baseline's shape).
Event ids: "ordered" (time-ordered, as UUIDv7/ULID from an SDK), "random" (UUIDv4), "sequence"
(the baseline's \`e-<n>\`, roughly ordered).

`;
const mdRows = `| label | store | traffic / ids | events/s | target | events | batch × concurrency | seconds | p50 ms | p99 ms | server CPU ms / 1000 events | busiest thread ms / 1000 → bound events/s | load avg (1 min) | date |
|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|---|
${runs
  .map(
    (r) =>
      `| ${r.label} | ${r.store}${r.machine.postgres ? ` ${r.machine.postgres}` : ''} | ${r.traffic ?? 'random'} / ${r.ids ?? 'ordered'} | ${r.eventsPerSecond.toLocaleString('en')} | ${(target[r.store] ?? 0).toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${r.batch} × ${r.concurrency} | ${r.seconds} | ${r.batchLatencyMs.p50} | ${r.batchLatencyMs.p99} | ${r.serverCpuMsPer1000 ?? '–'} | ${r.busiestThread ? `${r.busiestThread.cpuMsPer1000} → ${r.busiestThread.eventsPerSecondBound.toLocaleString('en')}` : '–'} | ${r.load ? r.load.join(' → ') : '–'} | ${r.date.slice(0, 16).replace('T', ' ')} UTC |`,
  )
  .join('\n')}

Commands:

${[...new Set(runs.map((r) => `    ${r.command}`))].join('\n')}

Reproduce: \`npm run bench:ingest -- --store both --events 200000\` (PostgreSQL from DATABASE_URL or
TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; a schema of its own, dropped afterwards).
Add \`--traffic random\` and/or \`--ids random\` for the harder shapes, \`--profile DIR\` for a CPU
profile of the server (results not recorded).

## From baseline to final

Baseline (commit 1fdf57a): SQLite rows inserted one by one on the main thread into a WITHOUT ROWID
table keyed by (tenant, event id) plus a (tenant, subject, time) index, fsync blocking the event
loop; PostgreSQL one \`INSERT … SELECT FROM unnest(13 arrays)\` with a foreign key to tenants; one
item query per batch. Its load average was not recorded (about 9–10 a few minutes later), and its
run preceded the CPU columns. Changes, in the order they paid off (docs/adr/0009-event-ingest.md):

1. SQLite writes on a worker thread with its own connection, with group commit (one fsync for
   the batches that arrived during the previous commit, each batch in its own savepoint): the
   main thread parses and validates while the writer waits for the disk.
2. One index instead of two: deduplication by (tenant, subject, event id), which also serves
   reading a subject's events; a rowid table so rows are appended. Scattered index-page writes
   (each dirty page is a 4 KB WAL frame, fsynced) were the dominant cost.
3. No per-row foreign-key check on the events table (PostgreSQL: a trigger and a row lock per event).
4. PostgreSQL: the batch as one JSON document into \`json_to_recordset\` (serialized natively
   instead of 13 arrays escaped in JavaScript).
5. Items found in the catalog are remembered for 30 s (no query for a steady stream of known items).
6. SQLite: 100 rows per INSERT statement; values cross to the writer as one flat JSON array.
7. SQLite: a checkpointer thread copies the WAL into the database file, so a commit never waits
   for a checkpoint (lower p99).
8. SQLite: statement and savepoint journals in memory (\`temp_store = MEMORY\`). This build of
   SQLite keeps them in a temporary file by default, and each batch's savepoint wrote the
   original of every page it changed there: a profile of the writer thread put a quarter of its
   CPU in those writes (subjournalPageIfRequired → pwrite). The writer went from about 19–20 to
   12–13 ms of CPU per 1,000 events, and the rate from 42,460 ("stop 8") to the "latest" rows.

## Where the time goes now

The SQLite writer thread is still the busiest (about 12–13 ms of CPU per 1,000 events on a quiet
machine): B-tree inserts into the table and its unique index, then writing each dirty 4 KB page to
the WAL (scattered index pages dominate) and fsyncing it. The main thread (HTTP, JSON, validation)
needs about 6–7 ms, and the client shares the same two cores. Rates vary by ±10 % from run to run
on this machine; the CPU columns vary less. Two things were measured and left out: forcing the WAL
to start again from its beginning under load (a RESTART checkpoint makes the writer drop its page
cache; a checkpoint on the writer's connection makes its commits wait for the database file's
fsync; 15–25 % slower either way, see sqlite-checkpointer.mjs), and SQLite's own JSON parsing
(\`INSERT … SELECT FROM json_each(?)\`) in place of binding values (no faster).
`;
writeFileSync(`${resultsDir}ingest.md`, md + mdRows);
console.log(`Wrote ${jsonFile} and ingest.md`);

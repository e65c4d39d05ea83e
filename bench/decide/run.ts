/**
 * Decision benchmark on the Amazon Sports and Outdoors data (18k items, 35k
 * subjects, 296k interactions) on embedded SQLite:
 *   1. seeds a fresh data directory through the services (catalog, consents, events);
 *   2. in-process: sequential `DecisionService.decide` calls (each durable: audit
 *      record and counters committed before it returns), latency percentiles;
 *   3. over HTTP: the real server (`pertinent serve`) in a child process, loaded
 *      from this process over loopback keep-alive connections (bench/http-load.ts):
 *      first saturated (closed loop: each connection sends its next request when
 *      the answer comes), which gives the most decisions per second; then at a
 *      fixed offered rate (open loop, `--rate`), which gives the latency that
 *      traffic gets, each request timed from when it was due.
 *
 *   node --max-semi-space-size=64 --import tsx bench/decide/run.ts [--decisions 5000] [--seconds 15] [--concurrency 32] [--rate 3000,1000] [--workers 2]
 *
 * (`--max-semi-space-size=64` gives the in-process part the young generation the
 * server's processes run with; see WORKER_NODE_OPTIONS in src/cli/commands/serve.ts.)
 *
 * Results go to bench/results/decide.md (and decide.json).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { defaultPlacement } from '../../src/core/decision/placement.ts';
import { processTreeCpuMs } from '../../src/platform/child-server.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createServices } from '../../src/platform/container.ts';
import { httpRequest, loadHttp } from '../http-load.ts';
import { probeMachine } from '../machine-probe.ts';
import { benchOptions, numberOption } from '../options.ts';
import { decideInput, decisionRequests, readSubjects } from './workload.ts';

const USAGE =
  'node --max-semi-space-size=64 --import tsx bench/decide/run.ts [--decisions 5000] [--seconds 15] [--concurrency 32] [--rate 3000,1000] [--workers 2] [--data FILE] [--keep DIR]';
const values = benchOptions(
  {
    decisions: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
    /** Decisions per second offered in the open-loop part; several, comma-separated, run one after the other. */
    rate: { type: 'string', default: '3000,1000' },
    /** Server processes for the HTTP part (`serve --workers`). */
    workers: { type: 'string', default: '2' },
    data: { type: 'string', default: '/work/shared/data/amazon/Sports_and_Outdoors.txt' },
    /** Keep the seeded data directory here and reuse it on the next run (seeding takes a minute). */
    keep: { type: 'string' },
  },
  USAGE,
);
const N = numberOption('decisions', values.decisions, USAGE, { min: 1 });
const SECONDS = numberOption('seconds', values.seconds, USAGE, { min: 1 });
const CONCURRENCY = numberOption('concurrency', values.concurrency, USAGE, { min: 1 });
const RATES = (values.rate ?? '').split(',').map((r) => numberOption('rate', r, USAGE, { min: 1 }));
const WORKERS = numberOption('workers', values.workers, USAGE, { min: 1 });
/** What changed since the last recorded stop (written into the results). */
const STOP_NOTES = `Stop 24: the models keep their pair weights as array
rows alone once built (PairCounts.compactAll): on this data, 212 MB less
of a server process's old space, and young-generation collections 10-15 %
shorter (each walks the header of every old-space page). This session's
machine is another kind of guest (AMD EPYC, Firecracker): a system call
costs about 0.75 µs and little after it, where stops 20-23's PVM guest
measured 1-3 µs and 11-34 µs. On it, stop 23's code answered 4,682/s
saturated at 0.382 ms of server CPU per decision; at 3,000/s offered every
request was answered, with a p99 from 15 to 152 ms in 25 runs of 10-15 s
(median 38 ms), at 0.45-0.55 ms of server CPU per decision. Four
recordings of this stop's code before this one, within 25 minutes:
saturated 4,931, 4,637, 4,845 and 4,688/s at 0.363, 0.389, 0.372 and
0.376 ms; at 3,000/s offered, all answered, p99 17.4, 23.7, 28.8 and 18.9
ms. The verdict below now counts a run that answered every request due as
3,000/s (it compared 2,999/s, the answers over the time to the last one, with 3,000). See
docs/adr/0006-decision-pipeline.md, "Another machine (stop 24)".`;
const DAY = 24 * 3600 * 1000;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

// How fast the machine is at the start and at the end (bench/machine-probe.ts): its speed drifts
// on shared machines, and the figures below compare only between runs of similar speed.
const probeStart = probeMachine();
console.log('machine probe at the start', probeStart);
const { users, itemIds } = readSubjects(values.data);
const interactions = users.reduce((n, u) => n + u.items.length, 0);
console.log(`${users.length} subjects, ${itemIds.length} items, ${interactions} interactions`);

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'pertinent-bench-decide-'));
const reuse = values.keep !== undefined && existsSync(join(dir, 'bench-key.txt'));
const config = loadConfig({ PERTINENT_DATA_DIR: dir, PERTINENT_LOG_LEVEL: 'silent', PERTINENT_MAX_BATCH: '10000' });
const services = await createServices(config);
const tenant = 'bench';
let t0 = performance.now();
let serverKey: string;
if (reuse) serverKey = readFileSync(join(dir, 'bench-key.txt'), 'utf8');
else {
  await services.tenants.createTenant(tenant, 'Bench');
  serverKey = (await services.tenants.createKey(tenant, 'server', 'bench')).secret;
  for (let i = 0; i < itemIds.length; i += 1000) {
    await services.catalog.bulkUpsert(
      tenant,
      itemIds.slice(i, i + 1000).map((id) => ({
        id,
        title: `Product ${id}`,
        category: `sports/c${Number(id.slice(1)) % 60}`,
      })),
    );
  }
  await services.consent.registerPolicy(tenant, { version: '1', noticeText: 'Bench notice.' });
  for (const u of users) {
    await services.consent.record(tenant, {
      subjectId: u.id,
      policyVersion: '1',
      choices: [
        { purpose: 'personalization', status: 'granted' },
        { purpose: 'retargeting', status: 'granted' },
      ],
      source: 'bench',
    });
  }
  const end = Date.now() - DAY;
  let batch: Record<string, unknown>[] = [];
  for (const u of users) {
    u.items.forEach((itemId, k) => {
      batch.push({
        eventId: `${u.id}-${k}`,
        subjectId: u.id,
        type: 'purchase',
        itemId,
        occurredAt: new Date(end - (u.items.length - k) * 2 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
      });
    });
    if (batch.length >= 5000) {
      await services.events.ingest(tenant, batch, { subjectFor: (r) => r as string, defaultSource: 'import' });
      batch = [];
    }
  }
  if (batch.length > 0)
    await services.events.ingest(tenant, batch, { subjectFor: (r) => r as string, defaultSource: 'import' });
  writeFileSync(join(dir, 'bench-key.txt'), serverKey);
}
const seedSeconds = (performance.now() - t0) / 1000;
console.log(`seeded in ${seedSeconds.toFixed(1)} s`);

// In-process.
const requestFor = decisionRequests(users, itemIds, Math.random);
/** One decision in this process for `request` (no exclusions, no GPC, no known minor), durable as in the server. */
const decideHere = (request: ReturnType<typeof requestFor>) => services.decisions.decide(decideInput(tenant, request));
t0 = performance.now();
await decideHere(requestFor());
const buildSeconds = (performance.now() - t0) / 1000;
console.log(`models built in ${buildSeconds.toFixed(1)} s`);
for (let i = 0; i < 500; i++) await decideHere(requestFor());
const inProcess: number[] = [];
let personalized = 0;
const cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  const s = performance.now();
  const d = await decideHere(requestFor());
  inProcess.push(performance.now() - s);
  if (d.mode === 'personalized') personalized++;
}
const cpu1 = process.cpuUsage(cpu0);
const inProc = {
  n: N,
  p50: round(pct(inProcess, 50)),
  p90: round(pct(inProcess, 90)),
  p99: round(pct(inProcess, 99)),
  /** CPU time of this process per decision: what the decision costs, whatever else runs on the machine. */
  cpuMs: round((cpu1.user + cpu1.system) / 1000 / N),
};
console.log('in-process ms', inProc, `personalized ${personalized}/${N}`);

// The same kind of decision back to back, and each after the process slept IDLE_MS with
// nothing to do, in alternating batches: on a machine whose cores other guests use while
// this process sleeps, a decision after a pause finds the caches cold (docs/adr/0006,
// "Idle costs cache (stop 22)"). Only each decision's own CPU time counts, not the wake-up.
const IDLE_MS = 2;
const idleCost = { idleMs: IDLE_MS, backToBack: 0, afterIdle: 0 };
{
  const cpu = { backToBack: 0, afterIdle: 0 };
  const per = 250;
  for (let batch = 0; batch < 8; batch++) {
    const kind = batch % 2 === 0 ? 'backToBack' : 'afterIdle';
    for (let i = 0; i < per; i++) {
      if (kind === 'afterIdle') await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const c0 = process.cpuUsage();
      await decideHere(requestFor());
      const c = process.cpuUsage(c0);
      cpu[kind] += (c.user + c.system) / 1000;
    }
  }
  idleCost.backToBack = round(cpu.backToBack / (4 * per));
  idleCost.afterIdle = round(cpu.afterIdle / (4 * per));
}
console.log('in-process CPU per decision, back to back and after an idle pause', idleCost);

// Returning subjects: the same fifty subjects timed twice, first with few slates shown to
// them, then once each has been shown RETURNING_PRIOR more today. Every decision reads the
// impressions its caps and retargeting limit count (docs/adr/0006, "Counters by scope and
// window (stop 18)"); the same subjects and pages both times, so the difference is what
// those impressions cost, not which subjects were picked.
// Their placement caps an item at 1,000 impressions a day instead of 20, so that their slates
// stay as full after a hundred pages as on the first (the default cap would empty them).
const RETURNING_PRIOR = 100;
const feed = { ...defaultPlacement('feed'), caps: [{ scope: 'item' as const, limit: 1000, windowMs: DAY }] };
await services.decisions.putPlacement(tenant, feed);
const returning = Array.from({ length: 50 }, (_, i) => users[(i * 7919) % users.length]?.id as string);
const returningPages = Array.from({ length: 2000 }, (_, i) => ({
  ...requestFor(),
  placement: 'feed',
  subjectId: returning[i % returning.length] as string,
}));
const timeReturning = async () => {
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (const page of returningPages) {
    const s = performance.now();
    await decideHere(page);
    times.push(performance.now() - s);
  }
  const c = process.cpuUsage(c0);
  return {
    p50: round(pct(times, 50)),
    p99: round(pct(times, 99)),
    cpuMs: round((c.user + c.system) / 1000 / times.length),
  };
};
const returningFirst = await timeReturning();
for (const subjectId of returning)
  for (let i = 0; i < RETURNING_PRIOR; i++) await decideHere({ ...requestFor(), placement: 'feed', subjectId });
const returningProc = { prior: RETURNING_PRIOR, first: returningFirst, returning: await timeReturning() };
console.log('in-process ms, the same subjects before and after', returningProc);
await services.close();

// Over HTTP: the real server in a child process.
const port = 18000 + Math.floor(Math.random() * 1000);
const child = spawn(process.execPath, ['bin/pertinent.mjs', 'serve', '--data-dir', dir, '--port', String(port)], {
  env: { ...process.env, PERTINENT_LOG_LEVEL: 'warn', PERTINENT_WORKERS: String(values.workers) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
/** GET /readyz on a new connection (each may reach another server process). */
const readyz = () =>
  new Promise<number>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
// Every process has built its models once ten answers in a row say ready.
for (let ok = 0, tries = 0; ok < 10 && tries < 3000; tries++) {
  if ((await readyz()) === 200) ok++;
  else {
    ok = 0;
    await new Promise((r) => setTimeout(r, 200));
  }
}
// Requests are serialized before the load starts (the client's CPU is the server's too).
const headers = { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' };
const requests = Array.from({ length: 50_000 }, () =>
  httpRequest('POST', '/v1/decisions', headers, JSON.stringify(requestFor())),
);
let nextRequest = 0;
const next = () => requests[nextRequest++ % requests.length] as Buffer;
/** CPU time (ms) the server's processes have used so far (Linux /proc). */
const serverCpuMs = () => processTreeCpuMs(child.pid);
/**
 * Runs the load, timing the CPU of the server's processes and of this process
 * (the load generator, on the same cores) over the run.
 */
const measure = async (rate: number | undefined) => {
  const server0 = serverCpuMs();
  const client0 = process.cpuUsage();
  const run = await loadHttp({ port, connections: CONCURRENCY, seconds: SECONDS, next, ...(rate ? { rate } : {}) });
  const client = process.cpuUsage(client0);
  const answered = run.latencies.length;
  // Requests still waiting when the run ended count with the wait they had so far (a lower bound).
  const latencies = [...run.latencies, ...run.unsentWaits];
  return {
    decisions: answered,
    perSecond: Math.round(answered / run.elapsed),
    p50: round(pct(latencies, 50)),
    p99: round(pct(latencies, 99)),
    p999: round(pct(latencies, 99.9)),
    errors: answered - (run.statuses.get(200) ?? 0),
    serverCpuMsPerDecision: round((serverCpuMs() - server0) / answered),
    clientCpuMsPerDecision: round((client.user + client.system) / 1000 / answered),
    unsent: run.unsent,
  };
};
// Warm-up: until the JIT has compiled the hot paths (measured: a shorter warm-up
// left the compiler threads busy through the run).
await loadHttp({ port, connections: CONCURRENCY, seconds: 10, next });
const saturated = await measure(undefined);
console.log('http, saturated (closed loop)', saturated);
const offered = [];
for (const rate of RATES) {
  const result = { ...(await measure(rate)), rate };
  console.log(`http, ${rate}/s offered (open loop)`, result);
  offered.push(result);
}
const overHttp = { concurrency: CONCURRENCY, saturated, offered };
child.kill('SIGTERM');
if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
const probeEnd = probeMachine();
console.log('machine probe at the end', probeEnd);

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`;
const v8Flags = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')).map((a) => `${a} `);
const command = `node ${v8Flags.join('')}--import tsx bench/decide/run.ts --decisions ${N} --seconds ${SECONDS} --concurrency ${CONCURRENCY} --rate ${RATES.join(',')} --workers ${WORKERS}`;
writeFileSync(
  'bench/results/decide.json',
  `${JSON.stringify({ date: new Date().toISOString(), command, machine, subjects: users.length, items: itemIds.length, interactions, seedSeconds, buildSeconds, probe: { start: probeStart, end: probeEnd }, inProcess: inProc, personalized, idleCost, returning: returningProc, overHttp }, null, 2)}\n`,
);
const sat = overHttp.saturated;
/**
 * The run at 3,000/s or more that meets the HTTP target: every request due
 * answered, none in error, p99 under 20 ms. (Answered per second counts up to
 * the last answer, so a run that answered all of 3,000/s shows 2,999/s.)
 */
const offeredMet = offered.find(
  (o) => o.rate >= 3000 && o.unsent === 0 && o.errors === 0 && o.decisions >= o.rate * SECONDS && o.p99 < 20,
);
const at3000 = offered.find((o) => o.rate >= 3000);
writeFileSync(
  'bench/results/decide.md',
  `# Decision speed

${new Date().toISOString().slice(0, 10)} — \`${command}\`

Machine: ${machine}; load average during the run ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (1/5/15 min; the benchmark's own client and server count in it).
Machine speed (bench/machine-probe.ts, best of 3 rounds), at the start and at the end of the run: a step of a dependent integer chain ${probeStart.integerStepNs} and ${probeEnd.integerStepNs} ns; a random read in 4 MB (the shared cache, when nobody else uses it) ${probeStart.cacheReadNs} and ${probeEnd.cacheReadNs} ns, in 64 MB ${probeStart.memoryReadNs} and ${probeEnd.memoryReadNs} ns; a system call (a one-byte \`pread\`) ${probeStart.systemCallNs} and ${probeEnd.systemCallNs} ns, and what one costs the 4 MB reads after it besides itself ${probeStart.systemCallAfterNs} and ${probeEnd.systemCallAfterNs} ns. Compare figures only between runs of similar speed.
Store: embedded SQLite (WAL; audit records and counters committed with synchronous=NORMAL, see docs/adr/0006-decision-pipeline.md). Server: \`pertinent serve --workers ${WORKERS}\` (docs/adr/0014-server-processes-per-machine.md).
Data: Amazon Sports and Outdoors — ${users.length} subjects, ${itemIds.length} items, ${interactions} interactions (all purchases, all consented).

| measure | value |
|---|---|
| models built from the events (first decision) | ${buildSeconds.toFixed(1)} s |
| in-process decision, p50 / p90 / p99 (${N} sequential, each recorded) | ${inProc.p50} / ${inProc.p90} / ${inProc.p99} ms |
| in-process CPU time per decision | ${inProc.cpuMs} ms |
| personalized share of those decisions | ${Math.round((100 * personalized) / N)} % |
| in-process CPU per decision, back to back / each after ${IDLE_MS} ms idle (alternating batches of 250, 1,000 each) | ${idleCost.backToBack} / ${idleCost.afterIdle} ms |
| in-process, 50 subjects, their first 40 slates of the day (item cap 1,000 a day), p50 / p99 / CPU per decision | ${returningProc.first.p50} / ${returningProc.first.p99} / ${returningProc.first.cpuMs} ms |
| in-process, the same subjects and pages again after ${returningProc.prior} more slates each (${returningProc.prior + 40}-${returningProc.prior + 80} that day), p50 / p99 / CPU per decision | ${returningProc.returning.p50} / ${returningProc.returning.p99} / ${returningProc.returning.cpuMs} ms |
| over HTTP, saturated: decisions per second (${CONCURRENCY} connections, closed loop, ${SECONDS} s) | ${sat.perSecond} |
| over HTTP, saturated: p50 / p99 (mostly queueing) | ${sat.p50} / ${sat.p99} ms |
| over HTTP: server CPU time per decision, saturated${offered.map((o) => ` / at ${o.rate}/s`).join('')} | ${[sat, ...offered].map((o) => o.serverCpuMsPerDecision).join(' / ')} ms |
| over HTTP: the load generator's CPU time per decision (same cores), saturated${offered.map((o) => ` / at ${o.rate}/s`).join('')} | ${[sat, ...offered].map((o) => o.clientCpuMsPerDecision).join(' / ')} ms |
${offered
  .map(
    (
      o,
    ) => `| over HTTP, ${o.rate}/s offered (open loop, ${SECONDS} s): answered per second | ${o.perSecond}${o.perSecond < 0.95 * o.rate ? ' (overloaded)' : ''}${o.unsent > 0 ? `; ${o.unsent} requests were still waiting for a connection when the run ended` : ''} |
| over HTTP, ${o.rate}/s offered: p50 / p99 / p99.9, from when each request was due (unsent ones: their wait so far) | ${o.p50} / ${o.p99} / ${o.p999} ms |`,
  )
  .join('\n')}
| HTTP errors (all runs) | ${offered.reduce((n, o) => n + o.errors, sat.errors)} |

Against the targets of issue 4: in-process p99 under 2 ms — ${inProc.p99 < 2 ? 'met' : `not met (${inProc.p99} ms; CPU alone is ${inProc.cpuMs} ms per decision)`};
over HTTP at least 3,000 decisions/s with p99 under 20 ms — ${offeredMet ? `met (${offeredMet.rate}/s offered: all ${offeredMet.decisions} requests answered, p99 ${offeredMet.p99} ms)` : `not met (${at3000 ? `${at3000.rate}/s offered: ${at3000.decisions} answered, ${at3000.unsent} not sent, p99 ${at3000.p99} ms; ` : ''}saturated, the server answers ${sat.perSecond}/s; at ${sat.serverCpuMsPerDecision} ms of server CPU per decision two idle cores would allow about ${Math.round(2000 / sat.serverCpuMsPerDecision)}/s)`}.

Each decision reads the subject's consents, history and preferences from the
store, runs the pipeline, and returns only after its audit record and counters
are committed (group commit: concurrent decisions share one transaction). The
load generator (bench/http-load.ts: raw keep-alive sockets, requests
serialized before the run) runs in the benchmark process on the same two
cores as the server. Saturated, every connection sends its next request as
soon as its answer arrives: the rate is the most the server answers, and the
latency mostly time spent queued. At a fixed offered rate, requests are due
at that rate whatever the server does, and a request's latency counts from
when it was due, waiting for a free connection included: that is the latency
such traffic gets. On a shared machine the latencies mostly measure the other
load; CPU time per decision is what a decision costs. Even alone, this
machine's speed drifts by 20–30 % from one run to the next within an hour;
the build time above says how fast the machine was during this run.

## Earlier figures (recorded at the end of each stop; up to stop 10 the load came from Node's http client, closed loop only; HTTP p99 is the saturated run's)

| stop | in-process p50 / p99 | in-process CPU | over HTTP | HTTP p99 | server CPU per decision |
|---|---|---|---|---|---|
| 7 | 1.8 / 8.2 ms | 2.36 ms | 339/s (1 process) | 184 ms | 3.1 ms |
| 8 | 1.291 / 5.008 ms | 1.736 ms | 908/s (2 processes) | 115 ms | 1.888 ms |
| 9 | 0.982 / 2.28 ms | 1.235 ms | 804/s (2 processes) | 158 ms | 2.109 ms |
| 10 | 0.64 / 1.389 ms | 0.795 ms | 1,128/s (2 processes) | 119 ms | 1.387 ms |
| 11 | 0.657 / 2.171 ms | 0.9 ms | 1,484/s (2 processes; 1,000/s offered: p99 117 ms) | 112 ms | 1.126 ms |
| 12 | 1.181 / 3.301 ms | 1.392 ms | 1,300/s (2 processes; 1,000/s offered: p99 61 ms; machine ~40 % slower that day) | 59 ms | 1.389 ms |
| 13 | 0.626 / 2.042 ms | 0.815 ms | 1,650/s (2 processes; 1,000/s offered: p99 99 ms; 700/s: p99 132 ms; AMD EPYC) | 79 ms | 1.052 ms |
| 14 | 0.422 / 0.906 ms | 0.548 ms | 3,618/s (2 processes; 3,000/s offered: 2,996/s, p99 35 ms; 2,000/s: p99 21 ms; Intel Xeon) | 18 ms | 0.514 ms |
| 15 | 0.442 / 0.809 ms | 0.546 ms | 3,188/s (2 processes; 3,000/s offered: 2,705/s, overloaded; 2,000/s: p99 21 ms; AMD EPYC) | 21 ms | 0.583 ms |
| 16 | 0.409 / 0.949 ms | 0.512 ms | 3,539/s (2 processes; 3,000/s offered: 2,999/s, p99 25 ms; 2,000/s: p99 16 ms; AMD EPYC) | 20 ms | 0.518 ms |
| 17 | 0.721 / 1.655 ms | 0.959 ms | 2,400/s (2 processes; 3,000/s offered: 2,758/s, overloaded; 1,000/s: p99 37 ms; AMD EPYC, slow phase) | 30 ms | 0.758 ms |
| 18 | 0.6 / 1.402 ms | 0.784 ms | 2,212/s (2 processes; 3,000/s offered: 2,110/s, overloaded; 1,000/s: p99 25 ms; AMD EPYC) | 38 ms | 0.813 ms |
| 19 | 1.098 / 2.468 ms | 1.473 ms | 1,508/s (2 processes; 3,000/s offered: 1,407/s, overloaded; 1,000/s: p99 28 ms; AMD EPYC, slow phase, probe 4 MB read ~60 ns) | 44 ms | 1.205 ms |
| 20 | 0.739 / 1.975 ms | 0.942 ms | 2,612/s (2 processes; 3,000/s offered: 2,428/s, overloaded; 2,000/s: p99 198 ms; 1,000/s: p99 100 ms; AMD EPYC, PVM guest) | 70 ms | 0.652 ms |
| 21 | 0.485 / 1.185 ms | 0.65 ms | 2,186/s (2 processes; 3,000/s offered: 1,909/s, overloaded; 2,000/s: 1,756/s, overloaded; 1,000/s: p99 187 ms; AMD EPYC, PVM guest) | 84 ms | 0.768 ms |
| 22 | 0.774 / 1.546 ms | 1.006 ms | 2,905/s (2 processes; 3,000/s offered: 2,909/s, 1,346 waiting, p99 501 ms; 2,000/s: p99 18 ms; 1,000/s: p99 6 ms; AMD EPYC, PVM guest; in-process part in a slow phase) | 23 ms | 0.623 ms |
| 23 | 0.337 / 1.09 ms | 0.518 ms | 2,798/s (2 processes; 3,000/s offered: 2,494/s, overloaded; 2,000/s: p99 348 ms; 1,000/s: p99 135 ms; AMD EPYC, PVM guest; machine slowing during the run; an earlier recording of the same code: 3,205/s at 0.515 ms) | 74 ms | 0.59 ms |

${STOP_NOTES}
`,
);
if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });

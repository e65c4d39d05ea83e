import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoShop } from '../../modules/decisions/demo-shop.ts';
import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import { startServer } from '../../server.ts';
import type { Command } from '../command.ts';
import { out, parseFlags } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the HTTP API (embedded SQLite by default, PostgreSQL when DATABASE_URL is set)',
  usage: `pertinent serve [--port N] [--host H] [--data-dir DIR] [--workers N] [--demo]

  --port N        port to listen on (default: PORT or 8080)
  --host H        address to bind (default: HOST or 127.0.0.1)
  --data-dir DIR  where the embedded SQLite database lives (default: PERTINENT_DATA_DIR or .pertinent)
  --workers N     server processes sharing the port and the database, e.g. one per core
                  (default: PERTINENT_WORKERS or 1); each holds its own models and applies
                  the others' erasures within PERTINENT_MODEL_SYNC_SECONDS
  --demo          on first start, create the tenant "demo" with its keys and write them to
                  <data-dir>/demo-credentials.json so that the README tour works as written

Environment: DATABASE_URL (PostgreSQL), PERTINENT_PG_SCHEMA, PORT, HOST, PERTINENT_DATA_DIR, PERTINENT_LOG_LEVEL,
PERTINENT_BODY_LIMIT, PERTINENT_MAX_BATCH, PERTINENT_KEY_CACHE_SECONDS, PERTINENT_WORKERS.`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean' },
      workers: { type: 'string' },
    });
    const env = { ...process.env };
    if (values.port !== undefined) env.PORT = String(values.port);
    if (values.host !== undefined) env.HOST = String(values.host);
    if (values['data-dir'] !== undefined) env.PERTINENT_DATA_DIR = String(values['data-dir']);
    if (values.workers !== undefined) env.PERTINENT_WORKERS = String(values.workers);
    const config = loadConfig(env);
    if (cluster.isWorker) {
      // A worker of `serve --workers N`: the primary prepared the database and prints the address.
      const { url } = await startServer(config);
      process.send?.({ listening: url });
      return new Promise<number>(() => {});
    }
    if (values.demo) await ensureDemoTenant(config);
    // Migrations run once, here, before any worker opens the database.
    await (await createServices(config)).close();
    const url = await startWorkers(config.workers);
    announce(url, config, config.workers > 1 ? ` in ${config.workers} processes` : '');
    return new Promise<number>(() => {});
  },
};

/**
 * V8 options of the server processes. The models make a heap of several
 * hundred megabytes, and with V8's default 16 MB young generation a scavenge
 * ran every ~50 ms and took ~5 ms: a 64 MB one makes them four times rarer,
 * and a decision cost 25 % less CPU on the Sports benchmark (bench/decide).
 * Such options are read when a process starts, hence the server always runs
 * in worker processes, even when there is one.
 */
const WORKER_NODE_OPTIONS = ['--max-semi-space-size=64'];

function announce(url: string, config: ReturnType<typeof loadConfig>, processes: string): void {
  out(
    `Pertinent is listening on ${url}${processes} (store: ${config.store}${config.store === 'sqlite' ? `, data in ${config.dataDir}` : ''})`,
  );
  out(`API reference: ${url}/docs`);
}

/**
 * Forks `count` workers that each run the server on the shared port (the
 * primary hands connections out in turn). A worker exits when the primary
 * does, even when the primary is killed. Resolves with the
 * address once all listen; a worker that dies is replaced; SIGINT/SIGTERM
 * stop them all cleanly.
 */
function startWorkers(count: number): Promise<string> {
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...WORKER_NODE_OPTIONS] });
  let stopping = false;
  let started = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => {
      if (stopping || !started) return;
      process.stderr.write(
        `pertinent: server process ${worker.process.pid} stopped (${signal ?? `exit code ${code}`}); starting another.\n`,
      );
      setTimeout(fork, 1000);
    });
    return worker;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      let alive = workers.length;
      if (alive === 0) process.exit(0);
      for (const w of workers) {
        w?.once('exit', () => {
          if (--alive === 0) process.exit(0);
        });
        w?.process.kill(signal);
      }
    });
  }
  return new Promise((resolve, reject) => {
    let listening = 0;
    for (let i = 0; i < count; i++) {
      const worker = fork();
      const onMessage = (message: unknown) => {
        if (typeof message !== 'object' || message === null || !('listening' in message)) return;
        worker.off('message', onMessage);
        if (++listening === count) {
          started = true;
          resolve(String(message.listening));
        }
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        if (started || stopping) return;
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        reject(new Error(`A server process failed to start (exit code ${code}); see its error above.`));
      });
    }
  });
}

async function ensureDemoTenant(config: ReturnType<typeof loadConfig>): Promise<void> {
  const services = await createServices(config);
  try {
    if ((await services.tenants.listTenants()).some((t) => t.id === 'demo')) return;
    const { subjectTokenSecret } = await services.tenants.createTenant('demo', 'Demo shop');
    const admin = await services.tenants.createKey('demo', 'admin', 'demo admin');
    const server = await services.tenants.createKey('demo', 'server', 'demo server');
    const publishable = await services.tenants.createKey('demo', 'publishable', 'demo browser');
    // A small shop with shoppers, histories and consents, for the README's decision tour.
    await seedDemoShop(services, 'demo');
    const credentials = {
      tenant: 'demo',
      adminKey: admin.secret,
      serverKey: server.secret,
      publishableKey: publishable.secret,
      subjectTokenSecret,
    };
    if (config.store === 'sqlite') {
      const file = join(config.dataDir, 'demo-credentials.json');
      writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
      out(`Created the demo tenant; its keys are in ${file} (shown once, keep them safe).`);
    } else {
      out('Created the demo tenant. Its keys, shown this once:');
      out(JSON.stringify(credentials, null, 2));
    }
  } finally {
    await services.close();
  }
}

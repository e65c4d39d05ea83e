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
  usage: `pertinent serve [--port N] [--host H] [--data-dir DIR] [--demo]

  --port N        port to listen on (default: PORT or 8080)
  --host H        address to bind (default: HOST or 127.0.0.1)
  --data-dir DIR  where the embedded SQLite database lives (default: PERTINENT_DATA_DIR or .pertinent)
  --demo          on first start, create the tenant "demo" with its keys and write them to
                  <data-dir>/demo-credentials.json so that the README tour works as written

Environment: DATABASE_URL (PostgreSQL), PERTINENT_PG_SCHEMA, PORT, HOST, PERTINENT_DATA_DIR, PERTINENT_LOG_LEVEL,
PERTINENT_BODY_LIMIT, PERTINENT_MAX_BATCH, PERTINENT_KEY_CACHE_SECONDS.`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean' },
    });
    const env = { ...process.env };
    if (values.port !== undefined) env.PORT = String(values.port);
    if (values.host !== undefined) env.HOST = String(values.host);
    if (values['data-dir'] !== undefined) env.PERTINENT_DATA_DIR = String(values['data-dir']);
    const config = loadConfig(env);
    if (values.demo) await ensureDemoTenant(config);
    const { url } = await startServer(config);
    out(
      `Pertinent is listening on ${url} (store: ${config.store}${config.store === 'sqlite' ? `, data in ${config.dataDir}` : ''})`,
    );
    out(`API reference: ${url}/docs`);
    return new Promise<number>(() => {});
  },
};

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

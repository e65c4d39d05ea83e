import { buildApp } from './app.ts';
import type { Config } from './platform/config.ts';
import { createServices } from './platform/container.ts';

/** Starts the HTTP server and stops it cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<{ url: string; close: () => Promise<void> }> {
  const services = await createServices(config);
  const app = await buildApp(services, { logger: true });
  const url = await app.listen({ host: config.host, port: config.port });
  const close = async () => {
    await app.close();
    await services.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      close().finally(() => process.exit(0));
    });
  }
  return { url, close };
}

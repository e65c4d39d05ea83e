import { buildApp } from './app.ts';
import { scheduleRetentionSweeps } from './modules/rights/retention-schedule.ts';
import type { Config } from './platform/config.ts';
import { createServices } from './platform/container.ts';

/** Starts the HTTP server and stops it cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<{ url: string; close: () => Promise<void> }> {
  const services = await createServices(config);
  const app = await buildApp(services, { logger: true });
  const url = await app.listen({ host: config.host, port: config.port });
  // Models are built now rather than on each tenant's first decision.
  let closing = false;
  services.tenants
    .listTenants()
    .then((tenants) => services.decisions.warm(tenants.map((t) => t.id)))
    .catch((err: unknown) => {
      if (!closing) app.log.error({ err }, 'building the models at start failed; they are built on first use');
    });
  // Retention limits are enforced by this node too (every node may sweep: deletes by age are idempotent).
  const sweeps =
    config.retentionSweepMinutes > 0
      ? scheduleRetentionSweeps(() => services.rights.sweep(), config.retentionSweepMinutes * 60_000, app.log)
      : undefined;
  // Category relations learned by the models reach contextual ads on model build, on erasure, and periodically.
  const relations =
    config.adRelations.refreshMinutes > 0
      ? setInterval(() => {
          services.decisions.publishCategoryRelations().catch((err: unknown) => {
            app.log.error({ err }, 'publishing category relations to the ads failed; retried at the next interval');
          });
        }, config.adRelations.refreshMinutes * 60_000).unref()
      : undefined;
  // Removals made on other nodes (erasure, withdrawal, objection) reach this node's models even while it is idle.
  const modelSync =
    config.modelSyncSeconds > 0
      ? setInterval(() => services.rights.syncModels().catch(() => {}), config.modelSyncSeconds * 1000)
      : undefined;
  modelSync?.unref();
  const close = async () => {
    closing = true;
    clearInterval(modelSync);
    clearInterval(relations);
    await sweeps?.stop();
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

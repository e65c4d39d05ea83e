import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { err, out, parseFlags, requireFlag, UsageError } from '../command.ts';

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: "Verify a tenant's hash-chained consent ledger",
  usage: `pertinent ledger verify --tenant ID

Walks the tenant's consent ledger from the first entry, recomputes every hash
(SHA-256 of the previous hash and the entry's canonical JSON), checks that each
entry links to the one before and that the chain ends where the stored head says.
Prints OK with the number of entries and the head hash (exit 0), or names the
first altered or missing entry by its sequence number and what is wrong (exit 1).

Environment: DATABASE_URL (PostgreSQL) or PERTINENT_DATA_DIR (embedded SQLite).`,
  async run(argv) {
    const [action, ...rest] = argv;
    const { values } = parseFlags(rest, { tenant: { type: 'string' } });
    if (action !== 'verify') {
      throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: verify.');
    }
    const tenant = requireFlag(values.tenant, 'tenant');
    const services = await createServices(loadConfig());
    try {
      await services.tenants.getTenant(tenant);
      const report = await services.consent.verifyLedger(tenant);
      if (report.ok) {
        out(`OK: the consent ledger of tenant ${tenant} is intact: ${report.count} entries, head ${report.headHash}.`);
        return 0;
      }
      err(`FAILED: the consent ledger of tenant ${tenant} is broken at entry ${report.seq}: ${report.problem}.`);
      err(
        `  ${report.checked} entries before it are intact. Restore the ledger from a backup and investigate who changed it.`,
      );
      return 1;
    } finally {
      await services.close();
    }
  },
};

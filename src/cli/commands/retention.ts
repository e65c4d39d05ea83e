import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, UsageError } from '../command.ts';

export const retentionCommand: Command = {
  name: 'retention',
  summary: 'Delete what is past its retention limit (events, counters, audit records, rights log)',
  usage: `pertinent retention sweep [--dry-run]

Deletes, for every tenant, the events, decision counters, decision audit records,
rights-log entries and erasure tombstones older than their retention limits, and
prints how many of each went. --dry-run only counts. \`pertinent serve\` runs the
same sweep every PERTINENT_RETENTION_SWEEP_MINUTES.

Environment: PERTINENT_RETENTION_EVENTS_DAYS (365), PERTINENT_RETENTION_DECISIONS_DAYS (90),
PERTINENT_RETENTION_AUDIT_DAYS (180), PERTINENT_RETENTION_RIGHTS_LOG_DAYS (1095),
DATABASE_URL (PostgreSQL) or PERTINENT_DATA_DIR (embedded SQLite).`,
  async run(argv) {
    const [action, ...rest] = argv;
    const { values } = parseFlags(rest, { 'dry-run': { type: 'boolean' } });
    if (action !== 'sweep') throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: sweep.');
    const config = loadConfig();
    const services = await createServices(config);
    try {
      const dryRun = values['dry-run'] === true;
      const c = await services.rights.sweep({ dryRun });
      const r = config.retention;
      out(`${dryRun ? 'Would delete' : 'Deleted'}:`);
      out(`  events              ${c.events}\t(older than ${r.eventsDays} days)`);
      out(`  decision counters   ${c.counters}\t(older than ${r.decisionsDays} days)`);
      out(`  decision audit      ${c.decisions}\t(older than ${r.auditDays} days)`);
      out(`  rights requests     ${c.rightsRequests}\t(older than ${r.rightsLogDays} days)`);
      out(`  erasure tombstones  ${c.tombstones}\t(older than ${r.eventsDays} days)`);
      return 0;
    } finally {
      await services.close();
    }
  },
};

import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, requireFlag, UsageError } from '../command.ts';

export const subjectsCommand: Command = {
  name: 'subjects',
  summary: 'Export or erase a data subject (GDPR access and erasure requests)',
  usage: `pertinent subjects export --tenant ID --subject S         the export document (JSON) on stdout
pertinent subjects erase  --tenant ID --subject S --yes   erases the subject everywhere

Both are logged in the tenant's rights log (actor "cli"), as through the API
(docs/reference/rights.md). Erasure cannot be undone; --yes confirms it.`,
  async run(argv) {
    const [action, ...rest] = argv;
    const { values } = parseFlags(rest, {
      tenant: { type: 'string' },
      subject: { type: 'string' },
      yes: { type: 'boolean' },
    });
    if (action !== 'export' && action !== 'erase') {
      throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: export or erase.');
    }
    const tenant = requireFlag(values.tenant, 'tenant');
    const subject = requireFlag(values.subject, 'subject');
    if (action === 'erase' && values.yes !== true) throw new UsageError('Erasure cannot be undone: add --yes.');
    const services = await createServices(loadConfig());
    try {
      await services.tenants.getTenant(tenant);
      if (action === 'export') {
        out(JSON.stringify(await services.rights.exportSubject(tenant, subject, 'cli'), null, 2));
      } else {
        const r = await services.rights.eraseSubject(tenant, subject, 'cli');
        out(`Erased subject ${subject} of tenant ${tenant} (request ${r.requestId}):`);
        for (const [k, n] of Object.entries(r.erased)) out(`  ${k.padEnd(26)} ${n}`);
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, requireFlag, UsageError } from '../command.ts';

export const tenantsCommand: Command = {
  name: 'tenants',
  summary: 'Create and list tenants (shops); rotate a subject-token secret',
  usage: `pertinent tenants create --id ID [--name NAME]   create a tenant and its first admin key
pertinent tenants list
pertinent tenants rotate-secret --tenant ID          new subject-token secret (old tokens stop working)

Secrets are printed once; Pertinent keeps only what it needs to verify them.`,
  async run(argv) {
    const [action, ...rest] = argv;
    const { values } = parseFlags(rest, {
      id: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
    });
    const services = await createServices(loadConfig());
    try {
      switch (action) {
        case 'create': {
          const id = requireFlag(values.id, 'id');
          const { tenant, subjectTokenSecret } = await services.tenants.createTenant(id, String(values.name ?? id));
          const admin = await services.tenants.createKey(tenant.id, 'admin', 'first admin key');
          out(`Created tenant ${tenant.id}.`);
          out(`Admin key (shown once):            ${admin.secret}`);
          out(`Subject-token secret (shown once): ${subjectTokenSecret}`);
          return 0;
        }
        case 'list': {
          for (const t of await services.tenants.listTenants())
            out(`${t.id}\t${t.name}\t${new Date(t.createdAt).toISOString()}`);
          return 0;
        }
        case 'rotate-secret': {
          const secret = await services.tenants.rotateSubjectTokenSecret(requireFlag(values.tenant, 'tenant'));
          out(`New subject-token secret (shown once): ${secret}`);
          return 0;
        }
        default:
          throw new UsageError(
            action ? `Unknown action "${action}".` : 'Name an action: create, list or rotate-secret.',
          );
      }
    } finally {
      await services.close();
    }
  },
};

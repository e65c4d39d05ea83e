import type { KeyScope } from '../../modules/tenants/tenants.store.ts';
import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, requireFlag, UsageError } from '../command.ts';

const SCOPES: KeyScope[] = ['publishable', 'server', 'admin'];

export const keysCommand: Command = {
  name: 'keys',
  summary: "Create, list and revoke a tenant's API keys",
  usage: `pertinent keys create --tenant ID --scope publishable|server|admin [--label TEXT]
pertinent keys list   --tenant ID
pertinent keys revoke --tenant ID --key KEY_ID

publishable: may be held by a browser; sends events and reads decisions only for the
             subject named in a signed subject token.
server:      your backend; catalog, events, consents and decisions for any subject.
admin:       everything a server key may do, plus keys and tenant settings.
The key is printed once; Pertinent stores only its hash.`,
  async run(argv) {
    const [action, ...rest] = argv;
    const { values } = parseFlags(rest, {
      tenant: { type: 'string' },
      scope: { type: 'string' },
      label: { type: 'string' },
      key: { type: 'string' },
    });
    if (!['create', 'list', 'revoke'].includes(action ?? '')) {
      throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: create, list or revoke.');
    }
    const tenant = requireFlag(values.tenant, 'tenant');
    const services = await createServices(loadConfig());
    try {
      if (action === 'create') {
        const scope = requireFlag(values.scope, 'scope') as KeyScope;
        if (!SCOPES.includes(scope)) throw new UsageError(`--scope must be one of ${SCOPES.join(', ')}.`);
        const { key, secret } = await services.tenants.createKey(tenant, scope, String(values.label ?? ''));
        out(`Created ${key.scope} key ${key.id} for tenant ${tenant}. The key (shown once):`);
        out(secret);
      } else if (action === 'list') {
        out('id\tscope\tlabel\tcreated\trevoked');
        for (const k of await services.tenants.listKeys(tenant)) {
          out(`${k.id}\t${k.scope}\t${k.label}\t${k.createdAt}\t${k.revokedAt ?? '-'}`);
        }
      } else {
        await services.tenants.revokeKey(tenant, requireFlag(values.key, 'key'));
        out(`Revoked key ${String(values.key)} of tenant ${tenant}.`);
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

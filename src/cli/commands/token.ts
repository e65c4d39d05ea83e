import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import { signSubjectToken } from '../../platform/subject-token.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, requireFlag, UsageError } from '../command.ts';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Sign a subject token for testing (your backend signs them in production)',
  usage: `pertinent token --tenant ID --subject SUBJECT_ID [--ttl SECONDS]

Prints an HS256 subject token signed with the tenant's secret, valid for --ttl
seconds (default 3600). Send it with a publishable key in the X-Subject-Token header.`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      tenant: { type: 'string' },
      subject: { type: 'string' },
      ttl: { type: 'string' },
    });
    const tenant = requireFlag(values.tenant, 'tenant');
    const subject = requireFlag(values.subject, 'subject');
    const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 86400)
      throw new UsageError('--ttl must be a whole number of seconds from 1 to 604800.');
    const services = await createServices(loadConfig());
    try {
      out(
        signSubjectToken({ sub: subject, tid: tenant }, await services.tenants.subjectTokenSecret(tenant), {
          ttlSeconds: ttl,
        }),
      );
      return 0;
    } finally {
      await services.close();
    }
  },
};

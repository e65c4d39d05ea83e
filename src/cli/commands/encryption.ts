import { loadConfig } from '../../platform/config.ts';
import { createServices } from '../../platform/container.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, UsageError } from '../command.ts';

export const encryptionCommand: Command = {
  name: 'encryption',
  summary: 'Re-encrypt contact data (email, phone) under the current encryption key',
  usage: `pertinent encryption rotate

Re-encrypts every stored contact field that is not under PERTINENT_ENCRYPTION_KEY,
decrypting with the keys of PERTINENT_ENCRYPTION_OLD_KEYS. To rotate:
  1. generate a key:  k2:$(openssl rand -base64 32)
  2. set PERTINENT_ENCRYPTION_KEY to it and move the old key to PERTINENT_ENCRYPTION_OLD_KEYS
     (restart the servers: they encrypt under k2 and still read k1)
  3. run pertinent encryption rotate
  4. remove the old key from PERTINENT_ENCRYPTION_OLD_KEYS
Safe to run again, and while servers run (a field changed meanwhile is left as written).`,
  async run(argv) {
    const [action, ...rest] = argv;
    parseFlags(rest, {});
    if (action !== 'rotate') throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: rotate.');
    const services = await createServices(loadConfig());
    try {
      const r = await services.rights.rotateEncryption();
      out(`Re-encrypted ${r.reencrypted} of ${r.checked} contact fields under key ${r.keyId}.`);
      return 0;
    } finally {
      await services.close();
    }
  },
};

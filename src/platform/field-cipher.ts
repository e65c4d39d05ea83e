import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from './config.ts';
import { AppError } from './errors.ts';

/**
 * Encryption at rest of single fields (contact data): AES-256-GCM with a
 * random 96-bit nonce, the key id stored with each ciphertext, and the
 * field's owner (tenant, subject, kind) as additional authenticated data, so a
 * ciphertext copied onto another subject's row does not decrypt.
 *
 * Envelope: `enc:1:<key id>:<nonce>:<tag>:<ciphertext>` (base64url parts).
 *
 * @example
 * const cipher = new FieldCipher({ id: 'k1', key: randomBytes(32) }, []);
 * const sealed = cipher.encrypt('ada@example.org', 'shop|ada|email');
 * cipher.decrypt(sealed, 'shop|ada|email'); // 'ada@example.org'
 */
export class FieldCipher {
  readonly #current: EncryptionKey | undefined;
  readonly #keys: Map<string, Buffer>;

  constructor(current: EncryptionKey | undefined, previous: readonly EncryptionKey[]) {
    this.#current = current;
    this.#keys = new Map([...previous, ...(current ? [current] : [])].map((k) => [k.id, k.key]));
  }

  /** The id of the key new ciphertexts are made under (undefined: encryption is not configured). */
  get currentKeyId(): string | undefined {
    return this.#current?.id;
  }

  encrypt(plaintext: string, aad: string): string {
    const current = this.#current;
    if (!current) {
      throw new AppError(
        'encryption_not_configured',
        503,
        'Contact data (email, phone) is stored only encrypted, and this server has no encryption key.',
        {
          hint: 'The operator sets PERTINENT_ENCRYPTION_KEY ("<id>:<32 random bytes in base64>"); until then leave email and phone out.',
        },
      );
    }
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const b = (x: Buffer) => x.toString('base64url');
    return `enc:1:${current.id}:${b(nonce)}:${b(cipher.getAuthTag())}:${b(body)}`;
  }

  /** The key id a ciphertext was made under, or undefined when `value` is not one. */
  static keyIdOf(value: string): string | undefined {
    const parts = value.split(':');
    return parts.length === 6 && parts[0] === 'enc' && parts[1] === '1' ? parts[2] : undefined;
  }

  decrypt(envelope: string, aad: string): string {
    const parts = envelope.split(':');
    const [tag0, version, keyId, nonce, tag, body] = parts as [string, string, string, string, string, string];
    if (parts.length !== 6 || tag0 !== 'enc' || version !== '1') {
      throw new AppError('encrypted_value_unreadable', 500, 'A stored encrypted value is not in a known format.');
    }
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new AppError(
        'encryption_key_missing',
        500,
        `Stored contact data is encrypted under key "${keyId}", which this server does not have.`,
        {
          hint: 'Add that key to PERTINENT_ENCRYPTION_OLD_KEYS (or make it PERTINENT_ENCRYPTION_KEY), then run `pertinent encryption rotate`.',
        },
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new AppError('encrypted_value_unreadable', 500, 'A stored encrypted value does not decrypt.', {
        cause: error,
      });
    }
  }
}

/** The additional authenticated data of a contact field: whose it is and what it is. */
export const contactAad = (tenantId: string, subjectId: string, kind: string) =>
  `pertinent.contact\u0000${tenantId}\u0000${subjectId}\u0000${kind}`;

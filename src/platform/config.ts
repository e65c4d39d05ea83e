import { resolve } from 'node:path';

/**
 * Configuration, read once from the environment, validated as a whole (every
 * problem reported at once) and frozen. This is the only module that reads
 * `process.env`. Defaults protect privacy and need no other service.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Server processes `serve` runs on this machine, sharing the port and the database (1: no cluster). */
  readonly workers: number;
  /** `sqlite` (embedded, the default) or `postgres` (set DATABASE_URL). */
  readonly store: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** The PostgreSQL schema Pertinent's tables live in (created if missing). */
  readonly pgSchema: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  /** Largest number of events in one ingest batch. */
  readonly maxBatch: number;
  /** Seconds an API key lookup stays cached on a node (revocation delay). */
  readonly keyCacheSeconds: number;
  /** Days kept, by kind of data; the retention sweep deletes what is older. */
  readonly retention: RetentionLimits;
  /**
   * Seconds between two reads of the feed of subjects removed from the models
   * on other nodes (erasure, withdrawal, objection); a decision waits for a read
   * that is due. 0: before every decision.
   */
  readonly modelSyncSeconds: number;
  /** Minutes between two retention sweeps inside `serve` (0: only `pertinent retention sweep`). */
  readonly retentionSweepMinutes: number;
  /** Category relations published from the models to contextual ads (ADR 0012). */
  readonly adRelations: {
    /** Distinct consenting subjects who must have bought a pair of categories together before it is published. */
    readonly minSubjects: number;
    /** Minutes between two publications inside `serve` of tenants whose models changed (0: on model build and erasure only). */
    readonly refreshMinutes: number;
  };
  /** The key contact data (email, phone) is encrypted under; unset: contact data is refused. */
  readonly encryptionKey: EncryptionKey | undefined;
  /** Earlier keys, only to decrypt until `pertinent encryption rotate` has re-encrypted everything. */
  readonly previousEncryptionKeys: readonly EncryptionKey[];
}

/** Retention limits in days, per kind of data. */
export interface RetentionLimits {
  /** Observed events (by the time they occurred). */
  readonly eventsDays: number;
  /** Frequency counters of decisions. */
  readonly decisionsDays: number;
  /** Decision audit records (what was shown and why). */
  readonly auditDays: number;
  /** The data protection officer's log of data-subject requests. */
  readonly rightsLogDays: number;
}

/** An AES-256 key and the id stored with every ciphertext made under it. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

const KEY_RE = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/;

function encryptionKeyFrom(raw: string, name: string, problems: string[]): EncryptionKey | undefined {
  const m = KEY_RE.exec(raw.trim());
  const key = m ? Buffer.from(m[2] as string, 'base64') : undefined;
  if (!m || !key || key.length !== 32) {
    problems.push(
      `${name} must be "<key id>:<32 random bytes in base64>", e.g. "k1:$(openssl rand -base64 32)" (the id: 1 to 32 letters, digits, _ or -).`,
    );
    return undefined;
  }
  return { id: m[1] as string, key };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

function intFrom(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}.`);
    return fallback;
  }
  return value;
}

/** Reads and validates the configuration; `overrides` win over the environment. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user@host:5432/db (leave it unset for embedded SQLite).',
    );
  }
  const pgSchema = env.PERTINENT_PG_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema)) {
    problems.push('PERTINENT_PG_SCHEMA must be a lowercase SQL identifier such as "public" or "pertinent".');
  }
  const logLevel = (env.PERTINENT_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`PERTINENT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  const encryptionKey = env.PERTINENT_ENCRYPTION_KEY
    ? encryptionKeyFrom(env.PERTINENT_ENCRYPTION_KEY, 'PERTINENT_ENCRYPTION_KEY', problems)
    : undefined;
  const previousEncryptionKeys = (env.PERTINENT_ENCRYPTION_OLD_KEYS ?? '')
    .split(',')
    .filter((k) => k.trim() !== '')
    .flatMap((k) => encryptionKeyFrom(k, 'Each key of PERTINENT_ENCRYPTION_OLD_KEYS', problems) ?? []);
  const ids = [encryptionKey, ...previousEncryptionKeys].flatMap((k) => k?.id ?? []);
  if (new Set(ids).size !== ids.length) {
    problems.push('PERTINENT_ENCRYPTION_KEY and PERTINENT_ENCRYPTION_OLD_KEYS must not repeat a key id.');
  }
  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: intFrom(env, 'PORT', 8080, 0, 65535, problems),
    workers: intFrom(env, 'PERTINENT_WORKERS', 1, 1, 64, problems),
    store: databaseUrl ? 'postgres' : 'sqlite',
    dataDir: resolve(env.PERTINENT_DATA_DIR || '.pertinent'),
    databaseUrl,
    pgSchema,
    logLevel,
    bodyLimit: intFrom(env, 'PERTINENT_BODY_LIMIT', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024, problems),
    maxBatch: intFrom(env, 'PERTINENT_MAX_BATCH', 5000, 1, 100000, problems),
    keyCacheSeconds: intFrom(env, 'PERTINENT_KEY_CACHE_SECONDS', 2, 0, 3600, problems),
    retention: {
      eventsDays: intFrom(env, 'PERTINENT_RETENTION_EVENTS_DAYS', 365, 1, 3650, problems),
      decisionsDays: intFrom(env, 'PERTINENT_RETENTION_DECISIONS_DAYS', 90, 1, 3650, problems),
      auditDays: intFrom(env, 'PERTINENT_RETENTION_AUDIT_DAYS', 180, 1, 3650, problems),
      rightsLogDays: intFrom(env, 'PERTINENT_RETENTION_RIGHTS_LOG_DAYS', 1095, 30, 3650, problems),
    },
    modelSyncSeconds: intFrom(env, 'PERTINENT_MODEL_SYNC_SECONDS', 2, 0, 300, problems),
    retentionSweepMinutes: intFrom(env, 'PERTINENT_RETENTION_SWEEP_MINUTES', 60, 0, 10080, problems),
    adRelations: {
      minSubjects: intFrom(env, 'PERTINENT_AD_RELATIONS_MIN_SUBJECTS', 10, 5, 100000, problems),
      refreshMinutes: intFrom(env, 'PERTINENT_AD_RELATIONS_REFRESH_MINUTES', 15, 0, 10080, problems),
    },
    encryptionKey,
    previousEncryptionKeys,
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

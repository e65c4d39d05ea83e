import { resolve } from 'node:path';

/**
 * Configuration, read once from the environment, validated as a whole (every
 * problem reported at once) and frozen. This is the only module that reads
 * `process.env`. Defaults protect privacy and need no other service.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
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
  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: intFrom(env, 'PORT', 8080, 0, 65535, problems),
    store: databaseUrl ? 'postgres' : 'sqlite',
    dataDir: resolve(env.PERTINENT_DATA_DIR || '.pertinent'),
    databaseUrl,
    pgSchema,
    logLevel,
    bodyLimit: intFrom(env, 'PERTINENT_BODY_LIMIT', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024, problems),
    maxBatch: intFrom(env, 'PERTINENT_MAX_BATCH', 5000, 1, 100000, problems),
    keyCacheSeconds: intFrom(env, 'PERTINENT_KEY_CACHE_SECONDS', 2, 0, 3600, problems),
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

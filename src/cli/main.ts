import { ConfigError } from '../platform/config.ts';
import { AppError } from '../platform/errors.ts';
import type { Command } from './command.ts';
import { err, out, UsageError } from './command.ts';
import { encryptionCommand } from './commands/encryption.ts';
import { importCommand } from './commands/import.ts';
import { keysCommand } from './commands/keys.ts';
import { ledgerCommand } from './commands/ledger.ts';
import { retentionCommand } from './commands/retention.ts';
import { serveCommand } from './commands/serve.ts';
import { subjectsCommand } from './commands/subjects.ts';
import { tenantsCommand } from './commands/tenants.ts';
import { tokenCommand } from './commands/token.ts';
import { evalCommand } from './eval.ts';

/** Every `pertinent` command, in the order `--help` lists them. */
export const commands: Command[] = [
  serveCommand,
  tenantsCommand,
  keysCommand,
  tokenCommand,
  importCommand,
  ledgerCommand,
  subjectsCommand,
  retentionCommand,
  encryptionCommand,
  evalCommand,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `pertinent — personalization that uses only consented, first-party data

Usage: pertinent <command> [options]      pertinent <command> --help

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
`;
}

/** Runs the command line; returns the exit code (0 ok, 1 failed, 2 wrong usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err(`pertinent: unknown command "${name}".\n`);
    err(help());
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`pertinent ${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof AppError) {
      err(`pertinent ${command.name}: ${error.message}${error.hint ? `\n  How to fix: ${error.hint}` : ''}`);
      return 1;
    }
    if (error instanceof ConfigError) {
      err(`pertinent ${command.name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

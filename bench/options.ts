import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The command-line options of a benchmark. `--help` prints its usage (the
 * synopsis in the script's header comment) and exits; an unknown or malformed
 * option says what is wrong, prints the usage and exits with status 2, before
 * anything is started.
 *
 * @example
 * const values = benchOptions({ seconds: { type: 'string', default: '15' } }, 'node --import tsx bench/x/run.ts [--seconds 15]');
 */
export function benchOptions<const O extends Options>(options: O, usage: string) {
  if (process.argv.includes('--help')) {
    console.log(`Usage:\n  ${usage}`);
    process.exit(0);
  }
  try {
    return parseArgs({ options, allowPositionals: false }).values;
  } catch (error) {
    return exitWithUsage(error instanceof Error ? error.message : String(error), usage);
  }
}

/**
 * Says what is wrong with the command line, prints the usage and exits with
 * status 2, before anything is started.
 *
 * @example
 * if (!existsSync(dir)) exitWithUsage(`--data ${dir} does not exist.`, usage);
 */
export function exitWithUsage(message: string, usage: string): never {
  console.error(`${message}\n\nUsage:\n  ${usage}`);
  process.exit(2);
}

/**
 * A numeric option's value, refused (with the usage, exit status 2) unless it
 * is a whole number of at least `min`.
 *
 * @example
 * const seconds = numberOption('seconds', values.seconds, usage, { min: 1 });
 */
export function numberOption(name: string, value: string | undefined, usage: string, options: { min: number }): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < options.min) {
    exitWithUsage(`--${name} must be a whole number of at least ${options.min}; got ${JSON.stringify(value)}.`, usage);
  }
  return n;
}

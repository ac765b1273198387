import { parseArgs } from 'node:util';

export type Flags<T extends string, V extends string = never> = Record<T | 'help', boolean> & Partial<Record<V, string>>;

/**
 * Boolean flags (and `--name=value` options, named in `values`) with
 * node:util's parseArgs, strict: resolves with the flags, or with the
 * one-line reason an argument is refused, naming it.
 */
export function parseFlags<T extends string, V extends string = never>(
  argv: string[],
  names: readonly T[],
  values: readonly V[] = [],
): { flags: Flags<T, V> } | { refusal: string } {
  const options = Object.fromEntries([
    ...[...names, 'help'].map((n) => [n, { type: 'boolean' as const, default: false }]),
    ...values.map((n) => [n, { type: 'string' as const }]),
  ]);
  try {
    return { flags: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Flags<T, V> };
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    const named = /'([^']+)'/.exec(message)?.[1];
    if (named && (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')) return { refusal: `unknown argument ${named}` };
    return { refusal: message.split('. ')[0] };
  }
}

/**
 * A script's flags from its command line. `--help` prints `help` and exits 0;
 * a refused argument is one line on stderr and exit code 2.
 */
export function commandFlags<T extends string, V extends string = never>(
  program: string,
  names: readonly T[],
  help: string,
  helpCommand: string,
  values: readonly V[] = [],
): Flags<T, V> {
  const parsed = parseFlags(process.argv.slice(2), names, values);
  if ('refusal' in parsed) {
    console.error(`${program}: ${parsed.refusal}: see ${helpCommand}`);
    process.exit(2);
  }
  if (parsed.flags.help) {
    console.log(help);
    process.exit(0);
  }
  return parsed.flags;
}

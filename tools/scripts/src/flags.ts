import { parseArgs } from 'node:util';

export type Flags<T extends string> = Record<T | 'help', boolean>;

/**
 * Boolean flags with node:util's parseArgs, strict: resolves with the flags,
 * or with the one-line reason an argument is refused, naming it.
 */
export function parseFlags<T extends string>(argv: string[], names: readonly T[]): { flags: Flags<T> } | { refusal: string } {
  const options = Object.fromEntries([...names, 'help'].map((n) => [n, { type: 'boolean' as const, default: false }]));
  try {
    return { flags: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Flags<T> };
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
export function commandFlags<T extends string>(program: string, names: readonly T[], help: string, helpCommand: string): Flags<T> {
  const parsed = parseFlags(process.argv.slice(2), names);
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

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'bench_round.go';

/**
 * The Go file a one-line change rewrites: a constant the binary uses (a
 * comment or an unused constant would leave the binary, and so the image,
 * as it was, and a build would be skipped, not measured).
 */
function source(value: string): string {
  return [
    'package main',
    '',
    'import "os"',
    '',
    '// benchRound is rewritten by `npm run bench` before each timed build: a one-line change.',
    `const benchRound = ${JSON.stringify(value)}`,
    '',
    'func init() {',
    '\tif os.Getenv("MICROBOX_BENCH_ROUND") == benchRound {',
    '\t\tprintln(benchRound)',
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** Adds the file to a service folder (commit it afterwards, so "nothing changed" is true of the clone). */
export function addRoundFile(serviceDir: string): void {
  writeFileSync(join(serviceDir, FILE), source('initial'));
}

/** Changes one line of the service: its benchRound constant becomes `value`, different every time. */
export function changeOneLine(serviceDir: string, value: string): void {
  writeFileSync(join(serviceDir, FILE), source(value));
}
